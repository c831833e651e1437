// The console's entry point: sign in (a token, or the one-time code of a link), then the app.

import "./styles.css";

import { ApiError } from "./api";
import { App } from "./app";
import { clear, h } from "./dom";
import { currentSession, signIn, takeCodeFromAddress, type Session } from "./session";
import { alertsView } from "./views/alerts";
import { fileView } from "./views/file";
import { inboxView } from "./views/inbox";
import { mapView } from "./views/mapview";
import { monitorView } from "./views/monitor";
import { proposalsView } from "./views/proposals";
import { timelineView } from "./views/timeline";

const root = document.getElementById("app")!;
let app: App | null = null;

function signInForm(message = ""): void {
  app?.stop();
  app = null;
  const token = h("input", { type: "password", id: "token", name: "token", autocomplete: "off", spellcheck: false, required: true });
  const status = h("p", { id: "signin-status", class: message ? "note" : "", role: "status" }, message);
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.textContent = "Signing in…";
        try {
          const session = await signIn({ token: token.value.trim() });
          token.value = "";
          await start(session);
        } catch (error) {
          status.textContent = error instanceof ApiError ? `Not signed in: ${error.message}` : String(error);
          token.setAttribute("aria-invalid", "true");
        }
      },
    },
    h("h1", null, "Deconfliction Line"),
    h("p", null, "A neutral channel to tell each other what you are about to do. Every notice, read and acknowledgement is recorded and signed."),
    h("label", { for: "token" }, "Your party's token"),
    token,
    h("button", { type: "submit" }, "Sign in"),
    status,
    h("p", { class: "note" }, "The token is sent once, over this connection; the console keeps only a session cookie that scripts cannot read. ", h("a", { href: "/docs" }, "API documentation")),
  );
  clear(root, h("main", { class: "signin-page" }, form));
  token.focus();
}

async function start(session: Session): Promise<void> {
  app?.stop();
  app = new App(session, root, [mapView(), inboxView(), alertsView(), fileView(), timelineView(), monitorView(), proposalsView()], (why) => signInForm(why));
  try {
    await app.start();
  } catch (error) {
    signInForm(`The console could not start: ${(error as Error).message}`);
  }
}

async function boot(): Promise<void> {
  const code = takeCodeFromAddress();
  if (code) {
    try {
      await start(await signIn({ code }));
      return;
    } catch (error) {
      signInForm(
        error instanceof ApiError
          ? `This sign-in link does not work any more (${error.message}): sign in with your token.`
          : String(error),
      );
      return;
    }
  }
  const session = await currentSession().catch(() => null);
  if (session) await start(session);
  else signInForm();
}

void boot();
