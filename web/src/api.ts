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
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as { error?: { status: number; type: string; message: string; problems?: Problem[] } })
      ?.error;
    if (response.status === 401 && onSignedOut && !path.startsWith("/v1/session")) onSignedOut();
    throw new ApiError(
      response.status,
      error?.type ?? "http_error",
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.problems ?? [],
    );
  }
  return data as T;
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
