"""End to end in a real browser: ``streamlit run app.py`` driven by Debian's Chromium through Playwright.

AppTest (test_app.py) checks the page's logic; this checks what only a browser shows: that the
page loads and answers over the WebSocket, that typed markup really stays text (no image, no
link, no bold, no script), and that the page works inside a clinic portal's 400 px iframe from
another origin. Screenshots go to ``artifacts/`` (gitignored) for a human to look at.

Skipped when /usr/bin/chromium (or the playwright package) is missing, unless REQUIRE_BROWSER=1,
as CI sets where Chromium is installed: then a missing browser is a failure, not a skip.
The helpers at the top are shared with ``benchmarks/bench_browser.py``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from serving_client import stop_process_group

from chatbot.storage import TurnStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "artifacts"
MESSAGES = '[data-testid="stChatMessage"]'
INPUT = '[data-testid="stChatInputTextArea"]'
CONTENT = '[data-testid="stChatMessageContent"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

COVERED = "How long does the relief last after cervical rhizotomy?"
RED_FLAG = "I have a fever and pus at the needle site"
AMBIGUOUS = "is it safe"
MARKUP = "<img src=x onerror=alert(1)> [link](http://evil) **bold** www.evil.example"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian package 'chromium')"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    return None


# --- helpers (also used by benchmarks/bench_browser.py) ------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppServer:
    """``python serve.py`` (how a clinic runs ``app.py``) on a free loopback port, in its own process group.

    ``base_url_path`` serves the chat under a path, as behind the nginx kit in ``deploy/``; ``port``
    reuses a port (a restart). Another ``script`` (the staff workspace), or ``serve=False``, runs with
    ``streamlit run``, which reads ``STREAMLIT_*`` theme variables.
    """

    def __init__(
        self,
        *,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        warm: bool = True,
        base_url_path: str = "",
        port: int | None = None,
        script: str = "app.py",
        serve: bool = True,
    ) -> None:
        self.warm = warm
        self.port = port or free_port()
        self.root_url = f"http://127.0.0.1:{self.port}/"
        self.url = self.root_url + (f"{base_url_path.strip('/')}/" if base_url_path else "")
        self.log = log or ARTIFACTS / "streamlit-server.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if script == "app.py" and serve:
            command = [sys.executable, str(ROOT / "serve.py"), "--address", "127.0.0.1", "--port", str(self.port)]
            if base_url_path:
                command += ["--base-url-path", base_url_path]
            self.ready_path = "readyz"
        else:
            command = [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.address", "127.0.0.1"]
            command += ["--server.port", str(self.port), "--server.headless", "true"]
            self.ready_path = "_stcore/health"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0, *, warm: bool = True) -> None:
        """Until ``/readyz`` answers 200 (the knowledge base is loaded); fails with the log if the server dies.

        With ``warm``, then runs the page once through /_stcore/script-health-check (enabled in
        .streamlit/config.toml), so the first patient does not pay for the page's first run.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve.py exited with {self.process.returncode}:\n{self.log.read_text()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.root_url + self.ready_path, timeout=1) as reply,
            ):
                if reply.status == 200:
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"serve.py was not ready on {self.url} within {timeout:.0f} s:\n{self.log.read_text()}")
        if warm:
            try:
                with urllib.request.urlopen(self.url + "_stcore/script-health-check", timeout=timeout) as reply:
                    reply.read()
            except OSError as error:
                raise RuntimeError(f"the page does not run ({error}):\n{self.log.read_text()}") from error

    def rss_kib(self) -> int:
        """Resident memory of the server process (VmRSS from /proc), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it lingers; safe to call twice."""
        stop_process_group(self.process)

    def __enter__(self) -> AppServer:
        try:
            self.wait_ready(warm=self.warm)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def portal_server() -> Iterator[str]:
    """``examples/`` over HTTP on another loopback port: the portal is a different origin from the app."""
    handler = functools.partial(_QuietHandler, directory=str(ROOT / "examples"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def portal_url(portal: str, app_url: str) -> str:
    return f"{portal}portal.html?app={urllib.parse.quote(app_url, safe='')}"


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_for_page(frame: Any, timeout: float = 30_000) -> None:
    """Until the chat box is there and the first script run has finished; fails at once if the page errors."""
    crashed = '[data-testid="stException"], [data-testid="stAlertContentError"]'
    frame.locator(f"{INPUT}, {crashed}").first.wait_for(timeout=timeout)
    if not frame.locator(INPUT).count():
        raise AssertionError(
            f"the page shows an error instead of the chat: {frame.locator(crashed).first.inner_text()}"
        )
    frame.locator(IDLE).wait_for(state="attached", timeout=timeout)


def ask(frame: Any, question: str, timeout: float = 15_000) -> Any:
    """Type ``question``, press Enter, wait for the reply and the end of the run; returns the reply's locator."""
    count = frame.locator(MESSAGES).count()
    box = frame.locator(INPUT)
    box.fill(question)
    box.press("Enter")
    return wait_for_reply(frame, count, timeout)


def wait_for_reply(frame: Any, count: int, timeout: float = 15_000) -> Any:
    """After an action that sends a message: until two more messages are shown and the run is over."""
    messages = frame.locator(MESSAGES)
    messages.nth(count + 1).wait_for(timeout=timeout)
    frame.locator(IDLE).wait_for(state="attached", timeout=timeout)
    return messages.nth(count + 1)


def rate_up(message: Any, *, tries: int = 3) -> None:
    """Press thumbs-up on a reply until the page thanks the patient.

    A click that lands while the page is still settling (an expander opening, a rerun finishing)
    is sometimes dropped by Streamlit's widget; a patient would simply press again, and so does this.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    thanks = message.get_by_text("Thank you for your feedback")
    for _ in range(tries):
        message.locator('[data-testid="stFeedback"] button').first.click()
        try:
            thanks.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    thanks.wait_for(timeout=5_000)


def said(message: Any) -> str:
    """The visible text of a chat message, without its avatar icon's name or its screen-reader heading."""
    content = message.locator(CONTENT)
    text = content.inner_text().strip()
    heading = content.locator(".message-heading")
    if heading.count():
        text = text.removeprefix(heading.first.inner_text().strip())
    return text.strip()


# --- fixtures --------------------------------------------------------------------------------------


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


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def app(browser: Any, data_dir: Path) -> Iterator[AppServer]:
    """One server for the module (after the browser check, so a skip never starts it)."""
    with AppServer(env={"CHATBOT_DATA_DIR": str(data_dir), "CHATBOT_DATABASE_URL": ""}) as server:
        yield server


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (its own Streamlit session) per test, left as artifacts/last-<test>.png.

    ``page.errors`` collects uncaught script errors and any dialog (an injected ``alert`` would land here);
    ``page.external`` every request that left this machine (a patient's browser should talk to the
    clinic's server only).
    """
    context = browser.new_context(viewport={"width": 1000, "height": 1100})
    page = context.new_page()
    errors: list[str] = []
    external: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda r: None if _local(r.url) else external.append(r.url))
    page.errors = errors
    page.external = external
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTIFACTS / f"last-{request.node.name}.png"))
    context.close()


def _local(url: str) -> bool:
    """Whether a request stays on this machine (or is inline data)."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in {"127.0.0.1", "localhost"}


# --- tests -----------------------------------------------------------------------------------------


def test_patient_asks_and_sees_answer_source_and_related_questions(
    app: AppServer, page: Any, bot: Any, data_dir: Path
) -> None:
    page.goto(app.url)
    wait_for_page(page)
    welcome = page.locator(MESSAGES).first
    starters = welcome.locator('[class*="st-key-start-"] button')
    starters.nth(len(bot.starter_questions) - 1).wait_for()  # drawn with the rest of the first run
    assert bot.notice in welcome.inner_text()
    assert starters.count() == len(bot.starter_questions)

    expected = bot.conversation().ask(COVERED)
    reply = ask(page, COVERED)
    text = reply.inner_text()
    assert expected.text.strip()[:80] in text
    assert f"Source: {expected.sources[0]}" in text
    reply.get_by_text("Quoted passage").click()
    reply.locator('[data-testid="stExpanderDetails"]').wait_for()
    assert expected.passage.strip()[-60:] in reply.locator('[data-testid="stExpanderDetails"]').inner_text()

    rate_up(reply)
    rating = TurnStore.open(data_dir=data_dir).turns()[-1]
    assert (rating["rating"], rating["kind"], rating["pair_id"]) == ("up", "answer", expected.pair_id)

    count = page.locator(MESSAGES).count()
    reply.locator('[class*="st-key-suggest-"] button').first.click()
    follow_up = wait_for_reply(page, count)
    assert said(page.locator(MESSAGES).nth(count)) == expected.suggestions[0]
    assert "Source:" in follow_up.inner_text()
    page.screenshot(path=str(ARTIFACTS / "browser-chat.png"))

    page.get_by_role("button", name="New conversation").click()
    page.wait_for_function(f"document.querySelectorAll('{MESSAGES}').length === 1")
    assert not page.errors, page.errors
    assert not page.external, page.external


def test_options_and_emergency(app: AppServer, page: Any, bot: Any) -> None:
    page.goto(app.url)
    wait_for_page(page)
    conversation = bot.conversation()
    options = conversation.ask(AMBIGUOUS).options
    expected = conversation.ask(options[0].question)

    first = ask(page, AMBIGUOUS)
    buttons = first.locator('[class*="st-key-option-"] button')
    assert buttons.count() == len(options)
    count = page.locator(MESSAGES).count()
    buttons.first.click()
    answer = wait_for_reply(page, count)
    assert said(page.locator(MESSAGES).nth(count)) == options[0].question
    assert f"Source: {expected.sources[0]}" in answer.inner_text()

    emergency = ask(page, RED_FLAG)
    alert = emergency.locator('[data-testid="stAlertContentError"]')
    assert alert.is_visible()
    assert bot.settings.urgent_phone in alert.inner_text()
    assert emergency.locator(f'a[href="tel:{"".join(c for c in bot.settings.urgent_phone if c.isdigit())}"]').count()
    page.screenshot(path=str(ARTIFACTS / "browser-emergency.png"))
    assert not page.errors, page.errors


def test_typed_markup_stays_text(app: AppServer, page: Any) -> None:
    page.goto(app.url)
    wait_for_page(page)
    ask(page, MARKUP)
    shown = page.locator(MESSAGES).nth(1)
    assert said(shown) == MARKUP
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href*="evil"]').count() == 0
    assert shown.locator("strong, b, a, img").count() == 0
    page.wait_for_timeout(200)  # an onerror handler would have fired by now
    assert not page.errors, page.errors


def test_portal_page_embeds_the_chat_at_400px(app: AppServer, page: Any, bot: Any) -> None:
    with portal_server() as portal:
        page.set_viewport_size({"width": 1200, "height": 900})
        page.goto(portal_url(portal, app.url))
        iframe = page.locator("iframe#clinic-chat")
        assert "embed=true" in (iframe.get_attribute("src") or "")
        box = iframe.bounding_box()
        assert box is not None and 360 <= box["width"] <= 420, box
        frame = page.frame_locator("iframe#clinic-chat")
        wait_for_page(frame)
        for chrome in ("stToolbar", "stHeader", "stDecoration", "stStatusWidget"):
            assert not frame.get_by_test_id(chrome).is_visible(), f"{chrome} shows inside the portal"
        reply = ask(frame, COVERED)
        assert "Source:" in reply.inner_text()
        overflow = frame.locator("body").evaluate("b => b.scrollWidth - b.clientWidth")
        assert overflow <= 0, f"the embedded page scrolls sideways by {overflow}px"
        page.screenshot(path=str(ARTIFACTS / "browser-portal.png"))
    assert not page.errors, page.errors
