"""A server restart under an open chat page: the patient's next message is answered, not dropped.

The page reconnects by itself to the new server process, in a new session that has never drawn
the chat box; Streamlit then skips the box's callback. ``tests/test_server.py`` checks the same
at the protocol level; this is the real page in Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_browser import (  # browser: the shared Chromium fixture
    COVERED,
    IDLE,
    INPUT,
    MESSAGES,
    AppServer,
    ask,
    browser,
    said,
    wait_for_page,
)

__all__ = ["browser"]  # the fixture, imported for its use here

AFTER_RESTART = "What are the risks of a percutaneous rhizotomy?"


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
