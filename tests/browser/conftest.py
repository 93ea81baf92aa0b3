"""Browser layer: Debian's Chromium driven by Playwright against a live server.

Every journey runs twice, with JavaScript on ("js") and off ("nojs"): the site
must work as plain HTML forms, and htmx only enhances it.

Chromium is the `chromium` on PATH (Playwright's own download is not used).
Without it the tests skip with the reason; in CI (CI=true) they fail instead,
because CI must run them.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from pbj.extensions import db

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Long enough for a slow CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 10_000


def _unavailable(reason: str, detail: str = ""):
    if IN_CI:
        pytest.fail(f"Browser tests must run in CI (CI=true), but {reason}\n{detail}".rstrip(), pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


@pytest.fixture
def release_db():
    """End the test thread's database transaction so the live server can write.

    The `app` fixture keeps an app context open in the test thread, and
    SQLite writes begin IMMEDIATE: a transaction left open there (even one
    opened by reading an expired attribute of a factory object) would make
    every POST from the browser wait for the busy timeout. Read what you need
    from factory objects first, then call this.
    """

    def release() -> None:
        db.session.commit()
        db.session.remove()

    return release


@pytest.fixture
def live_server_config() -> dict:
    """Extra config for the live app; override in a test module when needed."""
    return {}


@pytest.fixture
def live_server_setup():
    """Called with the live app before it serves (e.g. test-only routes); override in a module."""
    return lambda app: None


@pytest.fixture
def live_server(make_app, live_server_config, live_server_setup):
    """Serve an app on this test's database at http://127.0.0.1:<free port>.

    A separate app from the `app` fixture (same database file), with CSRF on,
    so real forms are exercised exactly as users send them.
    """
    app = make_app(WTF_CSRF_ENABLED=True, **live_server_config)
    live_server_setup(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_NAME"] = f"127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("`chromium` is not on PATH (Debian: apt-get install chromium).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        _unavailable(f"the Python package playwright is not installed ({e}).")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as e:  # any launch failure means the same: no browser here
        playwright.stop()
        first_line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        _unavailable(f"Playwright could not launch {executable}: {first_line}", str(e))
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js_enabled(request) -> bool:
    """JavaScript on ("js") and off ("nojs") for every journey.

    A test that only makes sense with JavaScript narrows it with
    `@pytest.mark.parametrize("js_enabled", [True], ids=["js"])`.
    """
    return request.param


@pytest.fixture
def new_page(browser, live_server, js_enabled):
    """Open a page in a fresh browser context (its own cookies: another user)."""
    contexts = []

    def factory(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server, java_script_enabled=js_enabled,
            viewport={"width": width, "height": height}, locale="id-ID",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """The main page of a journey, in a context with JavaScript on or off
    (parametrized through `js_enabled`, ids "js" and "nojs"). Other contexts
    opened with `new_page` in the same test share the setting."""
    return new_page()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture
def submit():
    """Click a submit button and wait for the page the form leads to.

    Returns the response of that navigation (after redirects). Waiting for the
    navigation itself, not for a URL, matters when a form posts back to the
    page it is on (the URL already matches before the answer arrives).
    """

    def do_submit(page, button):
        with page.expect_navigation() as navigation:
            button.click()
        return navigation.value

    return do_submit


@pytest.fixture
def login(submit):
    """Log a page in through the real /masuk form."""

    def do_login(page, email: str, password: str) -> None:
        page.goto("/masuk")
        page.fill("#email", email)
        page.fill("#password", password)
        response = submit(page, page.locator("main form button[type=submit]"))
        assert "/masuk" not in response.url, f"login as {email} failed ({response.status})"

    return do_login


@pytest.fixture
def expect(browser):
    """Playwright's `expect`, as a fixture: test modules do not import playwright,
    so a machine without it skips (or, in CI, fails) with the reason above."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect
