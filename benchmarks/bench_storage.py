"""Turn-storage figures: concurrent sessions recording turns for a while, every record counted.

    python benchmarks/bench_storage.py                        # SQLite, 20 sessions (threads), 60 s
    python benchmarks/bench_storage.py --processes            # 20 processes on one SQLite file (replicas)
    python benchmarks/bench_storage.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    python benchmarks/bench_storage.py --pause 0.5            # each session writes twice a second

Each session records a turn (with a scrubbed message, as a clinic that stores messages would),
rates every third one, and goes again, with no pause (far more than 20 patients typing) or with
``--pause`` seconds between turns. At the
end the rows in the database are counted against the writes that reported success, and a write
that failed is counted too. Prints figures; asserts nothing (the README holds them).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.storage import StorageError, TurnStore, new_conversation_id  # noqa: E402

MESSAGES = [
    "How long does the relief last after cervical rhizotomy?",
    "I'm Jane Doe, DOB 02/03/1961, MRN 448812, on warfarin: can I have it?",
    "How much does it cost?",
    "call me on 555-010-2234 about my appointment",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def session(store: TurnStore, seconds: float, out: list[tuple[int, int, list[float]]], pause: float = 0.0) -> None:
    """One patient session hammering the store: returns (ok writes, failed writes, write times)."""
    conversation = new_conversation_id()
    ok = failed = 0
    times: list[float] = []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            turn_id = store.record(
                conversation=conversation,
                kind="answer" if i % 3 else "fallback",
                confidence=0.5,
                pair_id="cervical-rhizotomy-duration/duration",
                message=MESSAGES[i % len(MESSAGES)],
            )
            times.append(time.perf_counter() - start)
            ok += 1
            if i % 3 == 0:
                store.rate(turn_id, "up", conversation=conversation)
        except StorageError:
            failed += 1
        i += 1
        if pause:
            time.sleep(random.uniform(0, 2 * pause))  # jitter: sessions are not in lockstep
    out.append((ok, failed, times))


def _process(url: str, seconds: float, pause: float, queue: multiprocessing.Queue) -> None:
    store = TurnStore(url)
    out: list[tuple[int, int, list[float]]] = []
    session(store, seconds, out, pause)
    store.dispose()
    queue.put(out[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--processes", action="store_true", help="one process per session, as replicas would be")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between a session's turns (0: flat out)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-storage-")
    store = TurnStore.open(args.url, data_dir=folder)
    url = store.url.render_as_string(hide_password=False)
    before = store.count()
    results: list[tuple[int, int, list[float]]] = []
    started = time.monotonic()
    if args.processes:
        queue: multiprocessing.Queue = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(target=_process, args=(url, args.seconds, args.pause, queue))
            for _ in range(args.sessions)
        ]
        for worker in workers:
            worker.start()
        results = [queue.get() for _ in workers]
        for worker in workers:
            worker.join()
    else:
        threads = [
            threading.Thread(target=session, args=(store, args.seconds, results, args.pause))
            for _ in range(args.sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    times = [t for r in results for t in r[2]]
    stored = store.count() - before
    mode = "processes" if args.processes else "threads"
    print(f"database: {store.url.get_backend_name()} ({store.where})")
    print(f"{args.sessions} sessions ({mode}) for {elapsed:.0f} s: {ok} turns written, {failed} failed writes")
    print(f"rows in the database: {stored} -> {'no record lost' if stored == ok else f'{ok - stored} LOST'}")
    print(f"throughput: {ok / elapsed:.0f} turns/s (plus a rating on every third)")
    ms = [t * 1000 for t in times]
    print(f"write time: p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms")
    steady = [t * 1000 for r in results for t in r[2][1:]]
    print(f"after each session's first write (which opens its connection): p99 {percentile(steady, 99):.1f} ms")
    if not args.url:
        print(f"(SQLite file in {Path(folder)})")


if __name__ == "__main__":
    main()
