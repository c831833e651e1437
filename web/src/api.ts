// Calls to the server.  The session cookie goes with every call (same origin only); writes
// carry the session's CSRF token.  Errors have the API's one shape.

export interface Problem {
  path: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

let csrfToken = "";
let onSignedOut: (() => void) | null = null;

export function setCsrf(token: string): void {
  csrfToken = token;
}

/** Called once when any call answers 401: the session ended (signed out, revoked, expired). */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json", ...headers },
  };
  if (method !== "GET" && method !== "HEAD") {
    (init.headers as Record<string, string>)["X-CSRF-Token"] = csrfToken;
  }
  if (body !== undefined) {
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!response.ok) throw failure(response, text, path);
  return parsed(text) as T;
}

function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** The API's error for an answer that is not ok (and the sign-out callback on a 401). */
function failure(response: Response, text: string, path: string): ApiError {
  const error = (parsed(text) as { error?: { status: number; type: string; message: string; problems?: Problem[] } })
    ?.error;
  if (response.status === 401 && onSignedOut && !path.startsWith("/v1/session")) onSignedOut();
  return new ApiError(
    response.status,
    error?.type ?? "http_error",
    error?.message ?? `${response.status} ${response.statusText}`,
    error?.problems ?? [],
  );
}

/** A GET answered in parts, one JSON document a line (application/x-ndjson): each part is
 * handed to `each` as soon as its line has arrived, so that it can be used while the rest
 * is made and sent.  Resolves when the last part has been handed on. */
export async function getParts<T>(path: string, each: (part: T) => void): Promise<void> {
  const response = await fetch(path, {
    method: "GET",
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/x-ndjson" },
  });
  if (!response.ok || !response.body) throw failure(response, await response.text(), path);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  // A line's pieces until its end arrives: joined once (a part is a megabyte; chunks are
  // tens of kilobytes).
  let pending: string[] = [];
  const line = (text: string) => {
    pending.push(text);
    const whole = pending.join("");
    pending = [];
    if (whole.trim()) each(JSON.parse(whole) as T);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    let from = 0;
    for (let end = value.indexOf("\n"); end >= 0; end = value.indexOf("\n", from)) {
      line(value.slice(from, end));
      from = end + 1;
    }
    if (from < value.length) pending.push(value.slice(from));
  }
  line("");
}

export const get = <T>(path: string) => request<T>("GET", path);
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
  request<T>("POST", path, body, headers);

/** A fresh idempotency key: a retried write is performed once. */
export function idempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
