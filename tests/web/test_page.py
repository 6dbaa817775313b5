"""The chat page at / in headless Chromium (Debian's, driven by Playwright) against the app
on loopback: ask, follow a citation into its article, see the conflicts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# Nothing but the page under test: no updates, sync or telemetry traffic from the browser.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUESTION = "How many North Korean soldiers were killed?"

if not CHROMIUM.exists():
    reason = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("ACCORDINGTO_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"ACCORDINGTO_REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page: Page, tmp_path: Path) -> Path:
    """Saved under the test's tmp dir, and to $ACCORDINGTO_SCREENSHOT_DIR/page.png if set."""
    path = tmp_path / "page.png"
    page.screenshot(path=str(path), full_page=True)
    if out := os.environ.get("ACCORDINGTO_SCREENSHOT_DIR"):
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(out) / "page.png")
    return path


def test_ask_then_follow_a_citation_into_its_article(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    external: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server) else external.append(r.url),
    )
    page.goto(f"{live_server}/")
    expect(page).to_have_title("accordingto: who says what in the news")

    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask", exact=True).click()
    answer = page.locator(".turn .answer").first
    expect(answer).to_be_visible(timeout=60_000)

    expected = httpx.post(f"{live_server}/ask", json={"question": QUESTION}).json()
    first = expected["citations"][0]
    page.locator(".turn .answer .cite[data-n='1']").first.click()
    mark = page.locator("#source-text mark#highlight")
    expect(mark).to_have_text(first["quote"])
    meta = page.locator("#source-meta")
    expect(meta).to_contain_text(first["outlet"])
    expect(meta).to_contain_text(first["published"])
    expect(page.locator("#source-title")).to_have_text(first["title"])

    if expected["conflicts"]:
        conflicts = page.locator(".turn .conflicts .conflict")
        expect(conflicts).to_have_count(len(expected["conflicts"]))
        positions = conflicts.first.locator(".position")
        expect(positions).to_have_count(len(expected["conflicts"][0]["positions"]))
        expect(positions.first.locator(".claimant")).to_have_text(
            expected["conflicts"][0]["positions"][0]["claimant"]
        )
    expect(page.locator(".turn .sources li")).to_have_count(len(expected["citations"]))

    path = screenshot(page, tmp_path)
    assert path.stat().st_size > 10_000
    assert external == []  # no CDN, no fonts: everything comes from the app


def test_an_error_is_shown_not_swallowed(page: Page, live_server: str) -> None:
    message = "No index at index: build one with `accordingto index PATH`."
    page.route("**/ask", lambda route: route.fulfill(status=503, json={"message": message}))
    page.goto(f"{live_server}/")
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_label("Your question").press("Enter")
    expect(page.locator("#status")).to_have_text(f"No answer: {message}")
    expect(page.locator(".turn")).to_have_count(0)
