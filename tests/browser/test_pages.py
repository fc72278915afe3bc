"""The pages the emailed links open, in a real headless Chromium.

Run by .ci/browser-tests, which starts two servers and passes them in the
environment: PAGES_SERVERS is a JSON list of {name, api, public_url, outbox,
log} (`main` with the usual link lifetimes, `short` with links that expire
after two seconds), and Chromium resolves each public URL's host to its
server (--host-resolver-rules), so every link is opened exactly as mailed.
The test talks to the API directly (`api`) to set up and check outcomes.
Screenshots go to PAGES_SCREENSHOTS, at 320 and 1280 px wide.
"""

import email
import email.policy
import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

SERVERS = {server["name"]: server for server in json.loads(os.environ["PAGES_SERVERS"])}
SCREENSHOTS = Path(os.environ["PAGES_SCREENSHOTS"])
CHROMIUM = os.environ.get("PAGES_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "seven quiet lanterns drift north"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

# Every token a link carried, for the log check at the end.
TOKENS = []


# --- the API and the outbox -------------------------------------------------


def api(server, method, path, body=None, bearer=None):
    """(status, JSON body or None) of one API call."""
    request = urllib.request.Request(SERVERS[server]["api"] + path, method=method)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if bearer:
        request.add_header("Authorization", f"Bearer {bearer}")
    try:
        with urllib.request.urlopen(request, data, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def register(server, address, name="Test User"):
    status, _ = api(
        server, "POST", "/api/v1/auth/register",
        {"email": address, "password": PASSWORD, "name": name},
    )
    assert status == 201, status


def login(server, address, password=PASSWORD):
    status, body = api(
        server, "POST", "/api/v1/auth/login", {"email": address, "password": password}
    )
    return status, (body or {}).get("access_token")


def me(server, access):
    status, body = api(server, "GET", "/api/v1/users/me", bearer=access)
    assert status == 200, status
    return body


def link_in_mail(server, kind, to, timeout=10.0):
    """The link of the newest `kind` message to `to` in the file outbox."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in sorted(Path(SERVERS[server]["outbox"]).glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            recipients = [a.addr_spec for a in message["To"].addresses] if message["To"] else []
            if message["X-Mail-Kind"] == kind and recipients == [to]:
                found.append(message)
        if found:
            text = found[-1].get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"https?://\S+", text).group(0)
            assert link.startswith(SERVERS[server]["public_url"] + "/"), link
            TOKENS.append(link.split("token=", 1)[1])
            return link
        assert time.monotonic() < deadline, f"no {kind} mail to {to}"
        time.sleep(0.05)


# --- the browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    rules = ", ".join(
        f"MAP {re.sub('^https?://', '', s['public_url'])}:80 {re.sub('^https?://', '', s['api'])}"
        for s in SERVERS.values()
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[f"--host-resolver-rules={rules}"]
        )
        yield browser
        browser.close()


class Watched:
    """A page, and what it sent and printed."""

    def __init__(self, page):
        self.page = page
        self.requests = []
        self.console = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("console", lambda message: self.console.append(message.text))

    def api_calls(self):
        return [r for r in self.requests if "/api/" in r.url]


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = Watched(context.new_page())
    yield page
    # Nothing the page loaded or called carried a Referer, and the CSP refused
    # nothing (an inline script or style would show here).
    for request in page.requests:
        assert "referer" not in request.all_headers(), (request.url, request.all_headers())
    assert not [m for m in page.console if "Content Security Policy" in m], page.console
    context.close()


def shoot(page, name):
    """Screenshots of the page as it is, at 320 and 1280 px wide."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 720})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def open_link(watched, link):
    """Opens a mailed link; checks the answer's headers and that the token has
    left the address bar."""
    response = watched.page.goto(link)
    assert response.status == 200
    headers = response.headers
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == CSP
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    path = link.split("?", 1)[0]
    assert watched.page.url == path, watched.page.url
    assert "token" not in watched.page.evaluate("location.href")
    # Nothing was sent on opening: a mail scanner that follows the link
    # changes nothing.
    assert watched.api_calls() == []
    return response


def outcome(page, heading):
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_focused()


UNUSABLE = "This link can no longer be used"


# --- the flows ----------------------------------------------------------------


def test_verify_email_takes_one_click_and_a_used_link_says_so(watched):
    page = watched.page
    register("main", "ada@example.com", "Ada Lovelace")
    link = link_in_mail("main", "welcome", "ada@example.com")

    open_link(watched, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify your email address")
    _, access = login("main", "ada@example.com")
    assert me("main", access)["email_verified"] is False
    shoot(page, "verify-email-ready")

    page.get_by_role("button", name="Verify my email address").click()
    outcome(page, "Your email address is verified")
    shoot(page, "verify-email-done")
    assert me("main", access)["email_verified"] is True
    assert len(watched.api_calls()) == 1

    # The same link again: used.
    open_link_again = watched.page.goto(link)
    assert open_link_again.status == 200
    page.get_by_role("button", name="Verify my email address").click()
    outcome(page, UNUSABLE)
    shoot(page, "verify-email-used")


def test_reset_password_checks_both_fields_shows_the_api_errors_and_resets(watched):
    page = watched.page
    register("main", "grace@example.com", "Grace Hopper")
    status, _ = api("main", "POST", "/api/v1/auth/forgot-password", {"email": "grace@example.com"})
    assert status == 202
    link = link_in_mail("main", "reset-password", "grace@example.com")

    open_link(watched, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.get_by_text("12 to 128 characters")).to_be_visible()
    shoot(page, "reset-password-ready")

    # A mismatch never reaches the API.
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#repeat-password-error")).to_have_text(
        "The two passwords are not the same. Type the new password twice."
    )
    expect(page.get_by_label("New password, again")).to_be_focused()
    expect(page.get_by_label("New password, again")).to_have_attribute("aria-invalid", "true")
    assert watched.api_calls() == []
    shoot(page, "reset-password-mismatch")

    # The API's own rules, with its messages.
    for weak, message, name in [
        ("password1234", "Too easy to guess.", "reset-password-too-weak"),
        ("too short", "At least 12 characters.", "reset-password-too-short-shown"),
    ]:
        page.get_by_label("New password", exact=True).fill(weak)
        page.get_by_label("New password, again").fill(weak)
        page.get_by_role("button", name="Set the new password").click()
        expect(page.locator("#new-password-error")).to_have_text(message)
        expect(page.locator("#repeat-password-error")).to_be_hidden()
        expect(page.get_by_label("New password", exact=True)).to_be_focused()
        if name.endswith("-shown"):
            page.get_by_label("Show the passwords").check()
            expect(page.get_by_label("New password", exact=True)).to_have_attribute("type", "text")
        shoot(page, name)
    assert len(watched.api_calls()) == 2
    page.get_by_label("Show the passwords").uncheck()
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("type", "password")

    # By keyboard alone: type, Tab, type, Enter.
    page.get_by_label("New password", exact=True).fill("")
    page.get_by_label("New password", exact=True).focus()
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("New password, again")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    outcome(page, "Your password is changed")
    shoot(page, "reset-password-done")

    assert login("main", "grace@example.com", NEW_PASSWORD)[0] == 200
    assert login("main", "grace@example.com", PASSWORD)[0] == 401

    # The same link again: used, whatever the password.
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("another fine passphrase here")
    page.get_by_label("New password, again").fill("another fine passphrase here")
    page.get_by_role("button", name="Set the new password").click()
    outcome(page, UNUSABLE)
    shoot(page, "reset-password-used")
    assert login("main", "grace@example.com", NEW_PASSWORD)[0] == 200


def test_confirm_email_change_takes_one_click(watched):
    page = watched.page
    register("main", "alan@example.com", "Alan Turing")
    _, access = login("main", "alan@example.com")
    status, _ = api(
        "main", "POST", "/api/v1/users/me/email",
        {"new_email": "alan.new@example.com", "current_password": PASSWORD}, bearer=access,
    )
    assert status == 202
    link = link_in_mail("main", "email-change-confirm", "alan.new@example.com")

    open_link(watched, link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your new email address")
    assert me("main", access)["email"] == "alan@example.com"
    shoot(page, "confirm-email-ready")

    page.get_by_role("button", name="Confirm the new address").click()
    outcome(page, "Your email address is changed")
    shoot(page, "confirm-email-done")
    user = me("main", access)
    assert (user["email"], user["email_verified"]) == ("alan.new@example.com", True)


def test_confirm_email_says_when_the_address_was_taken_meanwhile(watched):
    page = watched.page
    register("main", "barbara@example.com", "Barbara Liskov")
    _, access = login("main", "barbara@example.com")
    status, _ = api(
        "main", "POST", "/api/v1/users/me/email",
        {"new_email": "wanted@example.com", "current_password": PASSWORD}, bearer=access,
    )
    assert status == 202
    link = link_in_mail("main", "email-change-confirm", "wanted@example.com")
    register("main", "wanted@example.com", "Someone Else")

    open_link(watched, link)
    page.get_by_role("button", name="Confirm the new address").click()
    outcome(page, "That address is already taken")
    shoot(page, "confirm-email-taken")
    assert me("main", access)["email"] == "barbara@example.com"


def test_expired_links_say_so(watched):
    page = watched.page
    register("short", "edsger@example.com", "Edsger Dijkstra")
    verify = link_in_mail("short", "welcome", "edsger@example.com")
    status, _ = api("short", "POST", "/api/v1/auth/forgot-password", {"email": "edsger@example.com"})
    assert status == 202
    reset = link_in_mail("short", "reset-password", "edsger@example.com")
    _, access = login("short", "edsger@example.com")
    status, _ = api(
        "short", "POST", "/api/v1/users/me/email",
        {"new_email": "edsger.new@example.com", "current_password": PASSWORD}, bearer=access,
    )
    assert status == 202
    confirm = link_in_mail("short", "email-change-confirm", "edsger.new@example.com")
    time.sleep(2.5)  # The short server's links live two seconds.

    open_link(watched, verify)
    page.get_by_role("button", name="Verify my email address").click()
    outcome(page, UNUSABLE)
    shoot(page, "verify-email-expired")

    watched.page.goto(reset)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    outcome(page, UNUSABLE)
    shoot(page, "reset-password-expired")

    watched.page.goto(confirm)
    page.get_by_role("button", name="Confirm the new address").click()
    outcome(page, UNUSABLE)
    shoot(page, "confirm-email-expired")

    user = me("short", access)
    assert (user["email"], user["email_verified"]) == ("edsger@example.com", False)
    assert login("short", "edsger@example.com")[0] == 200


def test_an_unknown_token_looks_like_a_used_one_and_no_token_is_incomplete(watched):
    page = watched.page
    base = SERVERS["main"]["public_url"]
    watched.page.goto(f"{base}/confirm-email?token=not-a-token-the-server-issued")
    assert page.url == f"{base}/confirm-email"
    page.get_by_role("button", name="Confirm the new address").click()
    outcome(page, UNUSABLE)
    assert len(watched.api_calls()) == 1

    for path in ("/verify-email", "/reset-password", "/confirm-email"):
        watched.page.goto(f"{base}{path}")
        outcome(page, "This link is incomplete")
        expect(page.locator("form")).to_be_hidden()
    shoot(page, "confirm-email-incomplete")
    # A page without a token calls nothing.
    assert len(watched.api_calls()) == 1


def test_the_pages_cannot_be_framed(browser):
    # A page without a CSP of its own (about:blank) frames a link page: the
    # browser refuses to render it (frame-ancestors 'none', DENY).
    context = browser.new_context()
    page = context.new_page()
    with page.expect_response(lambda r: "/verify-email" in r.url):
        page.set_content(
            f'<iframe src="{SERVERS["main"]["public_url"]}/verify-email"></iframe>'
        )
    page.wait_for_timeout(500)
    frame = page.frames[1]
    assert frame.url.startswith("chrome-error://"), frame.url
    context.close()


def test_no_log_line_holds_a_token():
    # Last in the file: by now every other test opened its links.
    assert len(TOKENS) == 7, TOKENS
    for server in SERVERS.values():
        log = Path(server["log"]).read_text(encoding="utf-8", errors="replace")
        assert "request completed" in log
        for token in TOKENS:
            assert token not in log, f"a token is in {server['log']}"
