"""How fast the chat page feels in a real browser, and what the server costs in memory.

    python benchmarks/bench_browser.py                 # figures only
    python benchmarks/bench_browser.py --screenshots   # also refresh docs/screenshot-*.png

Starts ``python serve.py`` on a free loopback port and waits until ``/readyz`` says the
knowledge base is loaded (the page itself has never run, so the first session is cold), drives
Debian's Chromium with Playwright, and prints:

* open -> first answer: from navigation start until the first answer is on screen, for fresh
  sessions that type a question as soon as the chat box appears. The first session after the
  server became ready is "cold" (target <= 2 s); the others are "warm" (target <= 3 s).
* Enter -> answer: from the Enter keydown until the reply is painted, p50 over >= 20 questions
  in one session (the history grows as it would for a patient). Target: <= 300 ms at p50.
* server memory: VmRSS of the server process after start, after one session, and with 20
  sessions open.

Times are taken inside the page (``performance.now()``: a keydown listener and a
MutationObserver), so Playwright's own round trips are not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from cases import ANSWERS  # noqa: E402
from test_browser import (  # noqa: E402
    INPUT,
    AppServer,
    ask,
    browser_missing,
    launch_chromium,
    portal_server,
    portal_url,
    wait_for_page,
)

FIRST_QUESTION = "How long does the relief last after cervical rhizotomy?"
TARGET_FIRST_S = 3.0
TARGET_REPLY_MS = 300.0

_WATCH = """
(count) => {
    window.__answered = undefined;
    const box = document.querySelector('[data-testid="stChatInputTextArea"]');
    box.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__sent = performance.now(); },
                         {capture: true, once: true});
    const done = () => {
        const messages = document.querySelectorAll('[data-testid="stChatMessage"]');
        if (messages.length < count + 2) return false;
        return !!messages[count + 1].querySelector(
            '[data-testid="stText"], [data-testid="stAlert"], [data-testid="stMarkdownContainer"]');
    };
    const observer = new MutationObserver(() => {
        if (done()) {
            observer.disconnect();
            requestAnimationFrame(() => { window.__answered = performance.now(); });
        }
    });
    observer.observe(document.body, {childList: true, subtree: true});
}
"""


def timed_question(page: Any, question: str) -> float:
    """Milliseconds from pressing Enter to the reply being painted."""
    count = page.locator('[data-testid="stChatMessage"]').count()
    page.evaluate(_WATCH, count)
    box = page.locator(INPUT)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("window.__answered !== undefined", timeout=15_000)
    return float(page.evaluate("window.__answered - window.__sent"))


def open_and_ask(browser: Any, url: str) -> tuple[float, Any]:
    """A fresh session: seconds from navigation start to the first answer on screen, and its context."""
    context = browser.new_context(viewport={"width": 1000, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.locator(INPUT).wait_for(timeout=30_000)
    timed_question(page, FIRST_QUESTION)
    return float(page.evaluate("window.__answered")) / 1000, context


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def screenshots(browser: Any, url: str) -> None:
    """docs/screenshot-chat.png (a conversation) and docs/screenshot-portal.png (the portal at 400 px)."""
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1000, "height": 1350}, device_scale_factor=1)
    page = context.new_page()
    page.goto(url)
    wait_for_page(page)
    ask(page, FIRST_QUESTION)
    ask(page, "I have a fever and pus at the needle site")
    page.wait_for_timeout(300)
    page.screenshot(path=str(docs / "screenshot-chat.png"))
    context.close()

    with portal_server() as portal:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, device_scale_factor=1)
        page = context.new_page()
        page.goto(portal_url(portal, url))
        frame = page.frame_locator("iframe#clinic-chat")
        wait_for_page(frame)
        ask(frame, "What is recovery like after cervical neurotomy?")
        page.wait_for_timeout(300)
        page.screenshot(path=str(docs / "screenshot-portal.png"))
        context.close()
    print(f"screenshots: {docs / 'screenshot-chat.png'}, {docs / 'screenshot-portal.png'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="fresh sessions to open (default 20)")
    parser.add_argument("--questions", type=int, default=24, help="questions asked in one session (default 24)")
    parser.add_argument("--screenshots", action="store_true", help="also write docs/screenshot-*.png")
    args = parser.parse_args()
    reason = browser_missing()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    questions = [question for question, _ in ANSWERS][: args.questions]
    data = Path(tempfile.mkdtemp(prefix="bench-data-"))  # turns go to a throwaway database
    server = AppServer(env={"CHATBOT_DATA_DIR": str(data), "CHATBOT_DATABASE_URL": ""}, warm=False)  # cold start
    with server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        rss_start = server.rss_kib()

        first, context = open_and_ask(browser, server.url)
        rss_one = server.rss_kib()
        contexts = [context]
        warm = []
        for _ in range(args.sessions - 1):
            seconds, context = open_and_ask(browser, server.url)
            warm.append(seconds)
            contexts.append(context)
        rss_many = server.rss_kib()

        page = contexts[-1].pages[0]
        replies = [timed_question(page, question) for question in questions]
        for context in contexts:
            context.close()

        if args.screenshots:
            screenshots(browser, server.url)
        browser.close()

    p50_first = statistics.median(warm) if warm else first
    p50_reply = statistics.median(replies)
    print(
        f"open -> first answer, cold (first session on a server that just became ready): {first:.2f} s"
        f"  [target <= 2 s: {'ok' if first <= 2 else 'MISSED'}]"
    )
    if warm:
        print(
            f"open -> first answer, warm: p50 {p50_first:.2f} s, max {max(warm):.2f} s over {len(warm)} sessions"
            f"  [target <= {TARGET_FIRST_S:.0f} s: {'ok' if p50_first <= TARGET_FIRST_S else 'MISSED'}]"
        )
    print(
        f"Enter -> answer: p50 {p50_reply:.0f} ms, p90 {percentile(replies, 0.9):.0f} ms, max {max(replies):.0f} ms "
        f"over {len(replies)} questions  [target <= {TARGET_REPLY_MS:.0f} ms at p50: "
        f"{'ok' if p50_reply <= TARGET_REPLY_MS else 'MISSED'}]"
    )
    print(
        f"server RSS: {rss_start / 1024:.0f} MiB after start, {rss_one / 1024:.0f} MiB after one session, "
        f"{rss_many / 1024:.0f} MiB with {args.sessions} sessions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
