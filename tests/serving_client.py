"""Drive ``python serve.py`` the way a browser does, without a browser: shared by tests and benchmarks.

:class:`Server` starts ``serve.py`` on a free loopback port and waits for ``/readyz``.
:class:`Session` is one browser tab speaking Streamlit's WebSocket protocol (protobuf ``BackMsg``
and ``ForwardMsg``): it runs the page and types into the chat box as the page's JavaScript does.
Used by ``tests/test_server.py`` and ``benchmarks/bench_load.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
FINISHED = frozenset({ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})
"""How a run that drew its page ends: the whole page, or only the part a message redraws (a fragment)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to a server's process group, SIGKILL if it lingers; safe to call twice."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Server:
    """``python serve.py`` on a free loopback port, in its own process group; stopped on exit."""

    def __init__(self, *, env: dict[str, str] | None = None, args: Sequence[str] = (), log: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log or ROOT / "artifacts" / f"serve-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(ROOT / "serve.py"), "--address", "127.0.0.1", "--port", str(self.port), *args]
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started = time.monotonic()

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds from start until ``/readyz`` answers 200; raises with the log if the server dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve.py exited with {self.process.returncode}:\n{self.log.read_text()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "readyz", timeout=1) as reply:
                if reply.status == 200:
                    return time.monotonic() - self.started
            time.sleep(0.05)
        raise RuntimeError(f"serve.py not ready within {timeout:.0f} s:\n{self.log.read_text()}")

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (all threads, user + system): robust on a busy machine."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        stop_process_group(self.process)

    def __enter__(self) -> Server:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class RunResult:
    """What one script run sent: the texts drawn, how many elements and blocks, and how it finished."""

    texts: list[str] = field(default_factory=list)
    chat_input_id: str | None = None
    finished: bool = False
    whole_page: bool = False  # the whole page ran (not only a fragment of it)
    elements: int = 0  # elements and blocks drawn: what the run cost the server grows with this
    theme_color: str | None = None  # the primary colour of the theme sent at the start of the run


class Session:
    """One browser tab's worth of Streamlit protocol over a WebSocket."""

    def __init__(self, url: str, *, origin: str | None = None) -> None:
        self.url = url
        self.origin = origin or url.rstrip("/")
        self.chat_input_id: str | None = None
        self.ws: websockets.ClientConnection | None = None

    async def __aenter__(self) -> Session:
        stream = self.url.replace("http://", "ws://", 1) + "_stcore/stream"
        self.ws = await websockets.connect(
            stream, subprotocols=[websockets.Subprotocol("streamlit")], origin=websockets.Origin(self.origin)
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, message: str | None = None, *, timeout: float = 30.0) -> RunResult:
        """Rerun the page, with ``message`` typed into the chat box; returns when the script run ends."""
        assert self.ws is not None
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        back.rerun_script.widget_states.SetInParent()
        if message is not None:
            if self.chat_input_id is None:
                raise RuntimeError("the page has not drawn its chat box yet")
            state = back.rerun_script.widget_states.widgets.add()
            state.id = self.chat_input_id
            state.chat_input_value.data = message
        await self.ws.send(back.SerializeToString())
        result = RunResult()
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self.ws.recv())
                kind = msg.WhichOneof("type")
                if kind == "new_session":
                    result.theme_color = msg.new_session.custom_theme.primary_color
                if kind == "delta" and msg.delta.WhichOneof("type") in {"new_element", "add_block"}:
                    result.elements += 1
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "text":
                        result.texts.append(element.text.body)
                    elif which == "chat_input":
                        result.chat_input_id = self.chat_input_id = element.chat_input.id
                elif kind == "script_finished":
                    if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue
                    result.finished = msg.script_finished in FINISHED
                    result.whole_page = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                    return result
