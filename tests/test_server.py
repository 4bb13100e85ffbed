"""The real server process (``python serve.py``), spoken to over Streamlit's WebSocket on loopback.

* It refuses to start (status 2, one line naming the file, no traceback) on a broken knowledge base.
* ``/readyz`` says ready only once the knowledge base has loaded.
* No client can reload the knowledge base: ``clear_cache`` messages do not reach it.
* Nothing leaves the server: with every outbound connection and DNS lookup recorded and refused
  (a ``sitecustomize`` hook), a page, a question and a foreign-Origin WebSocket handshake
  attempt none. A control run shows the hook does catch Streamlit's own external-IP lookup.
* What a message makes the server draw does not grow with the conversation (counted, not timed).
* The theme read once per configuration (``serve.ThemeSettings``) is still sent on every run, and
  follows a configuration parsed again.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from conftest import ROOT
from serving_client import RunResult, Server, Session
from streamlit import config as st_config
from streamlit.proto.BackMsg_pb2 import BackMsg

import serve

COVERED = "How long does the relief last after cervical rhizotomy?"
CONVERSATION = (COVERED, "How much does it cost?", "hello", "is it safe")


def _app_constant(name: str) -> int:
    return int(re.search(rf"(?m)^{name} = (\d+)", (ROOT / "app.py").read_text()).group(1))  # type: ignore[union-attr]


MESSAGES_PER_PAGE_RUN = _app_constant("SLOTS") * _app_constant("REPLIES_PER_FRAGMENT")
"""app.py redraws the whole page once in so many messages (its fragments are then full)."""

OUTBOUND_HOOK = textwrap.dedent(
    '''
    """Test hook: record and refuse every connection and name lookup that would leave this machine."""
    import ipaddress
    import os
    import socket

    _LOG = os.environ["OUTBOUND_LOG"]
    _LOCAL_NAMES = {"localhost", "", None}


    def _local(host):
        if isinstance(host, bytes):
            host = host.decode()
        if host in _LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False


    def _refuse(what):
        with open(_LOG, "a") as log:
            log.write(what + "\\n")
        raise OSError(f"outbound traffic refused by the test: {what}")


    def _guard(name):
        original = getattr(socket.socket, name)

        def guarded(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
                _refuse(f"{name} {address!r}")
            return original(self, address, *args)

        setattr(socket.socket, name, guarded)


    for _name in ("connect", "connect_ex"):
        _guard(_name)

    _getaddrinfo = socket.getaddrinfo


    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            _refuse(f"getaddrinfo {host!r}")
        return _getaddrinfo(host, *args, **kwargs)


    socket.getaddrinfo = getaddrinfo
    '''
)


def _broken(faq_copy: Path, damage: str) -> Path:
    if damage == "missing-clinic":
        (faq_copy / "clinic.yaml").unlink()
    elif damage == "example-numbers":
        text = (faq_copy / "clinic.yaml").read_text(encoding="utf-8")
        (faq_copy / "clinic.yaml").write_text(text.replace("demonstration: true\n", ""), encoding="utf-8")
    elif damage == "unapproved-documents":
        live = ("name: Lakeside Spine Centre", 'phone: "(303) 555-2000"', 'urgent_phone: "(303) 555-2999"')
        (faq_copy / "clinic.yaml").write_text("\n".join([*live, 'emergency_number: "911"', ""]), encoding="utf-8")
    elif damage == "truncated-pairs":
        text = (faq_copy / "pairs.yaml").read_text(encoding="utf-8")
        (faq_copy / "pairs.yaml").write_text(text[: text.index("- id: ", len(text) // 2)], encoding="utf-8")
    return faq_copy


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing-clinic", r"^error: .*/clinic\.yaml: file not found: the clinic's name and phone numbers"),
        ("example-numbers", r"^error: .*/clinic\.yaml:\d+: name 'Riverside Pain Clinic' is the example name"),
        ("truncated-pairs", r"^error: .*/pairs\.yaml: content does not match its digest \(60 pairs recorded\)"),
        ("unapproved-documents", r"^error: .*/approvals\.yaml: document '.*' \(and 4 more\) is not approved"),
    ],
)
def test_server_refuses_to_start_on_a_broken_knowledge_base(faq_copy: Path, damage: str, message: str) -> None:
    faq = _broken(faq_copy, damage)
    result = subprocess.run(
        [sys.executable, str(ROOT / "serve.py"), "--address", "127.0.0.1", "--port", "9", "--faq", str(faq)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(message, lines[0]), lines[0]


@pytest.fixture(scope="module")
def outbound_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A sitecustomize hook directory and the file it records refused traffic in."""
    hook = tmp_path_factory.mktemp("hook")
    (hook / "sitecustomize.py").write_text(OUTBOUND_HOOK, encoding="utf-8")
    return hook, hook / "outbound.log"


@pytest.fixture(scope="module")
def server(outbound_log: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Server:
    hook, log = outbound_log
    env = {"PYTHONPATH": str(hook), "OUTBOUND_LOG": str(log), "CHATBOT_FEEDBACK_FILE": "off"}
    with Server(env=env, log=tmp_path_factory.mktemp("log") / "serve.log") as running:
        yield running


def test_ready_only_with_a_loaded_knowledge_base(server: Server) -> None:
    with urllib.request.urlopen(server.url + "readyz", timeout=10) as reply:
        body = reply.read().decode()
    assert reply.status == 200
    assert body.startswith("ready: 60 pairs from ") and "demonstration setup" in body


def test_ready_reports_a_broken_edit_without_a_page_view(faq_copy: Path, tmp_path: Path) -> None:
    """An operator edits clinic.yaml and asks /readyz: the edit is checked then, not at the next
    patient's page view; the previous knowledge base goes on serving and the probe says why."""
    with Server(args=("--faq", str(faq_copy)), log=tmp_path / "serve.log") as running:
        clinic = faq_copy / "clinic.yaml"
        clinic.write_text(clinic.read_text(encoding="utf-8") + "answer_threshold: 2\n", encoding="utf-8")
        with urllib.request.urlopen(running.url + "readyz", timeout=30) as reply:
            body = reply.read().decode()
    assert reply.status == 200
    assert re.search(r"kept the previous knowledge base: .*clinic\.yaml:\d+: 'answer_threshold' must be", body), body


async def _ask_after_cache_clears(url: str) -> list[str]:
    async with Session(url) as session:
        await session.run()
        clear = BackMsg()
        clear.clear_cache = True
        for _ in range(5):
            await session.ws.send(clear.SerializeToString())  # type: ignore[union-attr]
        result = await session.run(COVERED)
        return result.texts


def test_clients_cannot_reload_the_knowledge_base(server: Server) -> None:
    texts = asyncio.run(_ask_after_cache_clears(server.url))
    assert any("months" in text for text in texts), texts
    loads = server.log.read_text().count("loaded the knowledge base in")
    assert loads == 1, server.log.read_text()


async def _foreign_handshake(url: str) -> str:
    try:
        async with Session(url, origin="https://evil.example") as session:
            await session.run(timeout=10)
    except (websockets.exceptions.WebSocketException, OSError, TimeoutError) as error:
        return type(error).__name__
    return "accepted"


def test_nothing_leaves_the_server(server: Server, outbound_log: tuple[Path, Path]) -> None:
    _, log = outbound_log
    for _ in range(3):
        assert asyncio.run(_foreign_handshake(server.url)) != "accepted"
    texts = asyncio.run(_ask_after_cache_clears(server.url))
    assert any("months" in text for text in texts)
    assert not log.exists() or not log.read_text(), log.read_text()


def test_the_outbound_hook_catches_streamlits_lookup(outbound_log: tuple[Path, Path], tmp_path: Path) -> None:
    """Control: without serve.py's guard, Streamlit's external-IP lookup is attempted, recorded and refused."""
    hook, _ = outbound_log
    log = tmp_path / "control.log"
    code = "from streamlit import net_util; print(net_util.get_external_ip())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(hook), "OUTBOUND_LOG": str(log), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "None", result.stderr
    assert "checkip.amazonaws.com" in log.read_text()


async def _first_message_in_a_new_session(url: str) -> list[str]:
    async with Session(url) as earlier:
        await earlier.run()
        chat_box = earlier.chat_input_id
    async with Session(url) as reconnected:
        reconnected.chat_input_id = chat_box  # what a page open before a restart sends: it never ran here
        result = await reconnected.run(COVERED)
        return result.texts


def test_a_message_sent_right_after_a_restart_is_answered(server: Server) -> None:
    """After a restart the open page reconnects to a new session and sends the message straight away."""
    texts = asyncio.run(_first_message_in_a_new_session(server.url))
    assert texts[0] == COVERED
    assert any("months" in text for text in texts[1:]), texts


async def _conversation(url: str, messages: int) -> list[RunResult]:
    async with Session(url) as session:
        await session.run()
        return [await session.run(CONVERSATION[n % len(CONVERSATION)]) for n in range(messages)]


def test_what_a_message_redraws_does_not_grow_with_the_conversation(server: Server) -> None:
    """Capacity (issue 9): a message redraws the end of the conversation, not the whole history.

    Counted in elements sent, not timed. Once in ``MESSAGES_PER_PAGE_RUN`` messages the whole
    page is redrawn (which empties app.py's fragments, its slots); between two such runs, the same
    questions draw the same number of elements however many exchanges are on the screen.
    """
    period = MESSAGES_PER_PAGE_RUN
    assert period % len(CONVERSATION) == 0, "each period asks the same questions in the same order"
    results = asyncio.run(_conversation(server.url, 3 * period))
    assert all(result.finished and result.texts for result in results)
    whole = [number for number, result in enumerate(results, start=1) if result.whole_page]
    assert whole == [period, 2 * period, 3 * period]
    later, earlier = results[2 * period : 3 * period - 1], results[period : 2 * period - 1]
    assert [r.elements for r in later] == [r.elements for r in earlier], "more history, more elements"
    assert results[-1].elements > 3 * max(r.elements for r in later), "the control: a whole-page run"


def test_each_message_redraws_the_reply_before_it(server: Server) -> None:
    """The reply before a new message is redrawn in the same run (its buttons go: they are stale).

    Two replies share a slot, so every other message starts a new slot: then the run must rerun
    both slots, the one with the reply before and the new reply's.
    """
    results = asyncio.run(_conversation(server.url, 2 * len(CONVERSATION)))
    assert not any(result.whole_page for result in results)
    for number, (before, result) in enumerate(itertools.pairwise(results), start=1):
        question = CONVERSATION[number % len(CONVERSATION)]
        assert before.texts[-1] in result.texts, f"message {number + 1}: the reply before it was not redrawn"
        assert result.texts.index(before.texts[-1]) < result.texts.index(question) < len(result.texts) - 1


def _config_color() -> str:
    return re.search(r'(?m)^primaryColor = "(#[0-9a-f]+)"', (ROOT / ".streamlit" / "config.toml").read_text()).group(1)  # type: ignore[union-attr]


def test_every_run_sends_the_clinic_theme(server: Server) -> None:
    """The theme is kept per configuration, yet each run (the whole page, or a fragment) still sends it."""
    results = asyncio.run(_conversation(server.url, 3))
    assert not results[0].whole_page, "a message reruns a fragment"
    assert {result.theme_color for result in results} == {_config_color()}


@pytest.fixture
def fresh_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Streamlit's configuration as parsed in ``tmp_path`` (no config file yet); parsed again afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    st_config.get_config_options(force_reparse=True)
    yield tmp_path
    monkeypatch.undo()
    st_config.get_config_options(force_reparse=True)


def test_theme_settings_are_read_once_per_configuration(fresh_config: Path) -> None:
    reads: list[str] = []

    def read(section: str) -> dict[str, object]:
        reads.append(section)
        return st_config.get_options_for_section(section)

    theme = serve.ThemeSettings(read)
    assert theme("theme")["primaryColor"] is None
    theme("theme")["primaryColor"] = "#000000"  # a caller's change stays with the caller
    assert theme("theme")["primaryColor"] is None
    theme("theme.light")
    theme("server")
    theme("server")
    assert reads == ["theme", "theme.light", "server", "server"], "theme sections once, others every time"

    (fresh_config / ".streamlit").mkdir()
    (fresh_config / ".streamlit" / "config.toml").write_text('[theme]\nprimaryColor = "#123456"\n')
    st_config.get_config_options(force_reparse=True)
    assert theme("theme")["primaryColor"] == "#123456"
    assert reads[-1] == "theme"
