// Signing in and out.  The page never keeps a token: it hands it to the server once, which
// answers with an HttpOnly session cookie and a CSRF token for writes.

import { ApiError, request, setCsrf } from "./api";
import { ServerClock } from "./time";

export interface Session {
  party: string;
  role: string;
  expires_at: string;
  server_time: string;
  csrf_token: string;
}

export const clock = new ServerClock();

function adopt(session: Session): Session {
  setCsrf(session.csrf_token);
  clock.sync(session.server_time);
  return session;
}

export async function currentSession(): Promise<Session | null> {
  try {
    return adopt(await request<Session>("GET", "/v1/session"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(credential: { token: string } | { code: string }): Promise<Session> {
  return adopt(await request<Session>("POST", "/v1/session", credential));
}

export async function signOut(): Promise<void> {
  try {
    await request<void>("DELETE", "/v1/session");
  } finally {
    setCsrf("");
  }
}

/** A sign-in code from the link's fragment (#code=...&at=...), taken out of the address bar
 * at once so it is neither kept in history nor shared by copying the address (an `at` stays). */
export function takeCodeFromAddress(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const code = params.get("code");
  if (!code || !/^[A-Za-z0-9_-]+$/.test(code)) return null;
  const at = params.get("at");
  const rest = at ? `#/map?at=${encodeURIComponent(at)}` : "";
  history.replaceState(null, "", window.location.pathname + window.location.search + rest);
  return code;
}
