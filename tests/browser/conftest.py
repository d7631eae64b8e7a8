"""Browser fixtures: Debian's Chromium driven by Playwright against a live test server.

Every test gets the function-scoped ``app`` from tests/conftest.py (its own migrated
database) served over HTTP on 127.0.0.1, and a fresh browser context at each of two
viewports. A failing test leaves a screenshot in tests/browser/artifacts/.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}

# Long enough for a cold first page, short enough that a broken selector fails fast.
TIMEOUT_MS = 5_000


def pytest_collection_modifyitems(config, items):
    """Everything in this folder drives a browser: mark it so `-m "not browser"` works."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `make chromium` (apt-get install chromium); "
            "`playwright install` cannot download browsers here.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test's app on http://127.0.0.1:<free port>; yields the base URL (no slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval keeps shutdown() (which waits for one poll) from adding
    # half a second to every test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(request, browser, live_server):
    """A page in a new context at the parametrized viewport; relative URLs hit live_server.

    Depends on live_server so the context (and its keep-alive connections) closes before
    the server shuts down.
    """
    # Shoppers read Bahasa Indonesia; without this Chromium asks for en-US and the
    # app (rightly) answers in English.
    context = browser.new_context(
        base_url=live_server, locale="id-ID", **VIEWPORTS[request.param]
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def viewport(request, page) -> str:
    """Which parametrization of ``page`` this test runs with: "phone" or "desktop"."""
    return request.node.callspec.params["page"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = getattr(item, "funcargs", {}).get("page")
    if page is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / (re.sub(r"[^\w.\[\]-]+", "_", item.name) + ".png")
    try:
        page.screenshot(path=str(target), full_page=True)
    except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the failure
        report.sections.append(("browser screenshot", f"could not save {target}: {exc!r}"))
    else:
        report.sections.append(("browser screenshot", str(target)))
