"""Capacity of one chat server process, measured the way a browser talks to it, without a browser.

Starts ``python serve.py`` (or uses ``--url``), then opens many Streamlit sessions over the
WebSocket on loopback, speaking Streamlit's protocol (protobuf ``BackMsg`` / ``ForwardMsg``):
each session runs the page, then sends questions through the chat box as the page's JavaScript
would, and times each one from sending the message to the end of the script run that draws the
answer. Prints replies per second, p50/p95 reply time, and the server's memory.

    python benchmarks/bench_load.py                       # 20 concurrent sessions for 20 s, then 5 rounds of 50
    python benchmarks/bench_load.py --sessions 20 --seconds 20 --rounds 0
    python benchmarks/bench_load.py --config runner.postScriptGC=true   # compare a Streamlit setting
    python benchmarks/bench_load.py --no-freeze          # serve without gc.freeze() after loading

Bounded in time: every phase has a deadline, and the server is stopped at the end. The helpers
are shared with ``tests/test_serving_server.py`` (which checks the protocol works, not speed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (
    "How long does the relief last after cervical rhizotomy?",
    "What are the risks of a percutaneous rhizotomy?",
    "How do I prepare for a selective dorsal rhizotomy?",
    "Can I drive home after the procedure?",
    "How much does a rhizotomy cost?",
    "I have a fever and pus at the needle site",
    "hello",
    "what is cervical neurotomy",
)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

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
    """What one script run sent: the texts drawn, and whether it finished."""

    texts: list[str] = field(default_factory=list)
    chat_input_id: str | None = None
    finished: bool = False


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
                    result.finished = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                    return result


async def _patient(url: str, until: float, times: list[float], errors: list[str], index: int) -> None:
    """One patient: open the page, then ask questions back to back until ``until``."""
    try:
        async with Session(url) as session:
            await session.run()
            n = index
            while time.monotonic() < until:
                question = QUESTIONS[n % len(QUESTIONS)]
                n += 1
                start = time.perf_counter()
                result = await session.run(question)
                times.append(time.perf_counter() - start)
                if not result.finished or not result.texts:
                    errors.append(f"{question!r}: no reply drawn")
    except Exception as exc:  # a benchmark reports failures, it does not hide them
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")


async def concurrent(url: str, *, sessions: int, seconds: float) -> tuple[list[float], list[str], float]:
    """``sessions`` patients asking back to back for ``seconds``: reply times, errors, elapsed time."""
    times: list[float] = []
    errors: list[str] = []
    start = time.monotonic()
    until = start + seconds
    await asyncio.wait_for(
        asyncio.gather(*(_patient(url, until, times, errors, i) for i in range(sessions))), timeout=seconds + 120
    )
    return times, errors, time.monotonic() - start


async def round_of(url: str, *, sessions: int, questions: int) -> list[str]:
    """``sessions`` patients each open the page, ask ``questions`` questions and leave."""
    errors: list[str] = []

    async def one(index: int) -> None:
        try:
            async with Session(url) as session:
                await session.run()
                for n in range(questions):
                    await session.run(QUESTIONS[(index + n) % len(QUESTIONS)])
        except Exception as exc:
            errors.append(f"session {index}: {type(exc).__name__}: {exc}")

    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(sessions))), timeout=300)
    return errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def streamlit_env(option: str) -> str:
    """The environment variable of a Streamlit option (``runner.postScriptGC`` -> ``..._POST_SCRIPT_GC``)."""
    return "STREAMLIT_" + re.sub(r"(?<=[a-z])(?=[A-Z])", "_", option).replace(".", "_").upper()


@contextlib.contextmanager
def server_for(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    env = {streamlit_env(option): value for option, value in (c.split("=", 1) for c in args.config)}
    if args.no_freeze:
        env["CHATBOT_GC_FREEZE"] = "off"
    with Server(env=env) as server:
        args.server = server
        yield server.url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="an already running server (memory is then not reported)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of --round-sessions for the memory check")
    parser.add_argument("--round-sessions", type=int, default=50)
    parser.add_argument("--config", action="append", default=[], help="Streamlit option=value for the server")
    parser.add_argument("--no-freeze", action="store_true", help="do not gc.freeze() the loaded knowledge base")
    args = parser.parse_args(argv)
    args.server = None
    with server_for(args) as url:
        asyncio.run(concurrent(url, sessions=2, seconds=2))  # warm up: first page run imports the page's code
        cpu_before = args.server.cpu_seconds() if args.server else 0.0
        times, errors, elapsed = asyncio.run(concurrent(url, sessions=args.sessions, seconds=args.seconds))
        cpu = (args.server.cpu_seconds() - cpu_before) if args.server else float("nan")
        print(f"{args.sessions} concurrent sessions for {elapsed:.1f} s: {len(times)} replies")
        if times and args.server:
            per_reply = cpu / len(times)
            print(f"  server CPU per reply: {per_reply * 1000:.1f} ms (one core: {1 / per_reply:.0f} replies/s)")
        if times:
            print(f"  throughput: {len(times) / elapsed:.1f} replies/s")
            p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
            print(f"  reply time: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        if errors:
            print(f"  {len(errors)} errors, first: {errors[0]}")
        memory = []
        for number in range(1, args.rounds + 1):
            round_errors = asyncio.run(round_of(url, sessions=args.round_sessions, questions=3))
            rss = args.server.rss_mib() if args.server else float("nan")
            memory.append(rss)
            print(
                f"round {number}: {args.round_sessions} sessions x 3 questions, server RSS {rss:.0f} MiB"
                + (f", {len(round_errors)} errors: {round_errors[0]}" if round_errors else "")
            )
        if len(memory) > 1:
            print(f"  memory growth from round 1 to round {len(memory)}: {memory[-1] - memory[0]:+.0f} MiB")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
