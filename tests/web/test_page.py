"""The chat page at / in headless Chromium (Debian's, driven by Playwright) against the app
on loopback: ask, follow a citation into its article, see the conflicts."""

from __future__ import annotations

import json
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

from playwright.sync_api import Browser, Page, Route, expect, sync_playwright  # noqa: E402


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


def ask_on_page(page: Page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()


def test_the_close_button_closes_the_source_panel(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    page.locator(".turn .answer .cite[data-n='1']").first.click(timeout=60_000)
    panel = page.locator("#source")
    expect(panel).to_be_visible()
    page.get_by_role("button", name="Close the source").click()
    expect(panel).to_be_hidden()


def test_only_web_addresses_become_links(page: Page, live_server: str) -> None:
    """An article's url is file metadata: `javascript:` there must not run when clicked."""
    url = {"value": "javascript:document.title='pwned'"}

    def with_url(route: Route) -> None:
        article = route.fetch().json()
        route.fulfill(json={**article, "url": url["value"]})

    page.route("**/articles/*", with_url)
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    page.locator(".turn .answer .cite[data-n='1']").first.click(timeout=60_000)
    expect(page.locator("#source-text mark#highlight")).to_be_visible()
    expect(page.locator("#source-meta a")).to_have_count(0)
    expect(page).to_have_title("accordingto: who says what in the news")

    url["value"] = "https://example.org/news/1"
    page.evaluate("() => window.location.reload()")
    ask_on_page(page, QUESTION)
    page.locator(".turn .answer .cite[data-n='1']").first.click(timeout=60_000)
    expect(page.locator("#source-meta a")).to_have_attribute("href", url["value"])


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a text/event-stream body."""
    out = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        name = next((x[6:].strip() for x in lines if x.startswith("event:")), "message")
        data = "\n".join(x[5:].removeprefix(" ") for x in lines if x.startswith("data:"))
        if data:
            out.append((name, data))
    return out


def sse_body(events: list[tuple[str, str]]) -> str:
    return "".join(f"event: {name}\ndata: {data}\n\n" for name, data in events)


def test_the_answer_streams_and_the_verified_one_replaces_the_draft(
    page: Page, live_server: str
) -> None:
    sent: list[dict[str, object]] = []

    def redraft(route: Route) -> None:
        # The server's real stream, with its deltas rewritten as an LLM's raw text would be:
        # what the page finally shows must be `done`, not what was streamed.
        sent.append(json.loads(route.request.post_data or "{}"))
        events = sse_events(route.fetch().text())
        events = [(n, json.dumps({"text": "DRAFT "}) if n == "delta" else d) for n, d in events]
        route.fulfill(body=sse_body(events), headers={"content-type": "text/event-stream"})

    page.route("**/ask", redraft)
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    answer = page.locator(".turn .answer").first
    expect(answer).not_to_have_class("answer draft", timeout=60_000)
    expected = httpx.post(f"{live_server}/ask", json={"question": QUESTION}).json()
    expect(answer).to_have_text(expected["answer"])
    assert sent[0]["stream"] is True and sent[0]["history"] == []


def test_a_stream_cut_before_done_says_so(page: Page, live_server: str) -> None:
    def cut(route: Route) -> None:
        events = [e for e in sse_events(route.fetch().text()) if e[0] in ("meta", "delta")]
        route.fulfill(body=sse_body(events), headers={"content-type": "text/event-stream"})

    page.route("**/ask", cut)
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    expect(page.locator("#status")).to_have_text(
        "No answer: the answer was cut off; ask again", timeout=60_000
    )
    expect(page.locator(".turn")).to_have_count(0)


def test_a_follow_up_is_asked_in_the_conversation_context(page: Page, live_server: str) -> None:
    sent: list[dict[str, object]] = []

    def record(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.continue_()

    page.route("**/ask", record)
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    expect(page.locator(".turn .by")).to_have_count(1, timeout=60_000)
    follow_up = "And what did Zelensky say?"
    ask_on_page(page, follow_up)
    expect(page.locator(".turn .by")).to_have_count(2, timeout=60_000)
    assert sent[1]["history"] == [QUESTION]
    expected = httpx.post(
        f"{live_server}/ask", json={"question": follow_up, "history": [QUESTION]}
    ).json()
    expect(page.locator(".turn .answer").nth(1)).to_have_text(expected["answer"])
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator(".turn")).to_have_count(0)


def test_an_unreachable_server_is_named_as_such(page: Page, live_server: str) -> None:
    page.route("**/ask", lambda route: route.abort("connectionrefused"))
    page.goto(f"{live_server}/")
    ask_on_page(page, QUESTION)
    expect(page.locator("#status")).to_contain_text("the server is not reachable")
