"""A server restart under an open chat page: the patient's next message is answered, not dropped.

The page reconnects by itself to the new server process, in a new session that has never drawn
the chat box; Streamlit then skips the box's callback. ``tests/test_server.py`` checks the same
at the protocol level; this is the real page in Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import (
    COVERED,
    IDLE,
    INPUT,
    MESSAGES,
    AppServer,
    ask,
    browser_missing,
    launch_chromium,
    said,
    wait_for_page,
)

AFTER_RESTART = "What are the risks of a percutaneous rhizotomy?"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = browser_missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_first_message_after_a_restart_is_answered(browser: Any, tmp_path: Path) -> None:
    env = {"CHATBOT_FEEDBACK_FILE": "off"}
    first = AppServer(env=env, log=tmp_path / "first.log", warm=False)
    with first:
        context = browser.new_context()
        page = context.new_page()
        page.goto(first.url)
        wait_for_page(page)
        assert "Source:" in ask(page, COVERED).inner_text()
    with AppServer(env=env, log=tmp_path / "second.log", warm=False, port=first.port):
        page.locator(f"{INPUT}:not([disabled])").wait_for(timeout=60_000)
        page.wait_for_timeout(1_000)  # the page has reconnected and settled
        box = page.locator(INPUT)
        box.fill(AFTER_RESTART)
        box.press("Enter")
        page.get_by_text(AFTER_RESTART, exact=True).first.wait_for(timeout=30_000)
        page.locator(IDLE).wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(500)
        page.locator(IDLE).wait_for(state="attached", timeout=30_000)
        page.screenshot(path=str(tmp_path / "after-restart.png"))
        messages = page.locator(MESSAGES)
        texts = [said(messages.nth(i)) for i in range(messages.count())]
        asked = max(i for i, text in enumerate(texts) if text == AFTER_RESTART)
        assert asked + 1 < len(texts), f"no reply after the message sent after the restart: {texts}"
        assert "percutaneous" in texts[asked + 1].lower() or "risk" in texts[asked + 1].lower(), texts[asked + 1]
    context.close()
