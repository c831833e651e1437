"""Signing in and out of the console: a token typed once, or a one-time link; an HttpOnly,
SameSite=Strict session cookie; tokens never in a URL; signing out ends the session."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from deconfliction.service.auth import list_tokens, revoke_token
from tests.console.conftest import new_context, open_console, signin_link
from tests.support.server import Api


def test_sign_in_with_a_token_and_sign_out(browser: Browser, golan: Api) -> None:
    context = new_context(browser)
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    token = golan.token("rus")
    page.goto(golan.url + "/")
    page.get_by_label("Your party's token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("header.top .party")
    assert "Russian forces in Syria" in page.inner_text("header.top .party")
    (cookie,) = [c for c in context.cookies() if c["name"] == "dl_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert token not in cookie["value"]
    # Scripts cannot read the session; the token was never put in a URL.
    assert "dl_session" not in page.evaluate("document.cookie")
    secret = token.split("_", 2)[2]
    assert not [u for u in urls if secret in u]
    held = {"dl_session": cookie["value"]}
    assert httpx.get(f"{golan.url}/v1/me", cookies=held).status_code == 200

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("form.signin")
    assert [c for c in context.cookies() if c["name"] == "dl_session"] == []
    # The session is over on the server too, not only forgotten by the browser.
    refused = httpx.get(f"{golan.url}/v1/me", cookies=held)
    assert refused.status_code == 401
    assert "ended" in refused.json()["error"]["message"]
    context.close()


def test_a_sign_in_link_works_once_and_leaves_no_code_behind(browser: Browser, golan: Api) -> None:
    link = signin_link(golan, "idf")
    context = new_context(browser)
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    page = context.new_page()
    page.goto(link)
    page.wait_for_selector("header.top .party")
    code = link.split("#code=")[1]
    assert code not in page.url
    # The code travels in the fragment: never in a request the server (or a proxy) logs.
    assert not [u for u in urls if code in u]
    context.close()

    again = new_context(browser)
    page = again.new_page()
    page.goto(link)
    page.wait_for_selector("form.signin")
    assert "does not work any more" in page.inner_text("#signin-status")
    again.close()


def test_a_wrong_token_is_refused_at_the_form(browser: Browser, golan: Api) -> None:
    context = new_context(browser)
    page = context.new_page()
    page.goto(golan.url + "/")
    page.get_by_label("Your party's token").fill("dlt_0000000000000000_" + "x" * 43)
    page.get_by_role("button", name="Sign in").click()
    # A locator's wait, not a function given as a string: the console's CSP (no 'unsafe-eval')
    # refused that string once in a CI run.
    page.locator("#signin-status", has_text="Not signed in").wait_for()
    assert "unknown token" in page.inner_text("#signin-status")
    assert page.get_attribute("#token", "aria-invalid") == "true"
    context.close()


def test_revoking_the_token_ends_its_console_session(browser: Browser, golan: Api) -> None:
    context = new_context(browser)
    page = open_console(context, golan, "sarc")
    (cookie,) = [c for c in context.cookies() if c["name"] == "dl_session"]
    # The session was opened with the token behind the link: revoke every sarc token.
    for record in list_tokens(golan.coordinator.db, "sarc"):
        if record.revoked_at is None:
            revoke_token(golan.coordinator.db, record.id, golan.clock.now())
    answer = httpx.get(f"{golan.url}/v1/inbox", cookies={"dl_session": cookie["value"]})
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]
    # The page notices at its next call and asks to sign in again.
    page.evaluate("window.location.hash = '#/timeline/n-sarc-001'")
    page.wait_for_selector("form.signin")
    context.close()
