"""Capacity of one chat server process, measured the way a browser talks to it, without a browser.

Starts ``python serve.py`` (or uses ``--url``), then opens many Streamlit sessions over the
WebSocket on loopback, speaking Streamlit's protocol (protobuf ``BackMsg`` / ``ForwardMsg``): each
session runs the page, then sends questions through the chat box as the page's JavaScript would,
and times each one from sending the message to the end of the script run that draws the answer
(after a message that is the run of app.py's fragments from the reply before, not the whole page:
see "Capacity" in the README). Prints the cold start (open -> first answer for the first session on
a server that has just become ready), replies per second, p50/p95 reply time, server CPU per reply,
and memory.

    python benchmarks/bench_load.py                       # 20 concurrent sessions for 20 s, then 5 rounds of 50
    python benchmarks/bench_load.py --sessions 20 --seconds 20 --rounds 0
    python benchmarks/bench_load.py --config runner.postScriptGC=true   # compare a Streamlit setting
    python benchmarks/bench_load.py --no-freeze          # serve without gc.freeze() after loading

Bounded in time: every phase has a deadline, and the server is stopped at the end. The helpers
live in ``tests/serving_client.py``, shared with ``tests/test_server.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serving_client import Server, Session  # noqa: E402

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


async def open_and_ask(url: str) -> float:
    """Seconds from opening a session to the end of the run that drew the answer to its first question."""
    start = time.perf_counter()
    async with Session(url) as session:
        await session.run()
        await session.run(QUESTIONS[0])
    return time.perf_counter() - start


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
        opened = [asyncio.run(open_and_ask(url)) for _ in range(4)]  # the first one is the server's cold start
        later = ", ".join(f"{seconds:.2f}" for seconds in opened[1:])
        print(f"open -> first answer at the server: first session {opened[0]:.2f} s, then {later} s")
        asyncio.run(concurrent(url, sessions=2, seconds=2))  # warm up
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
