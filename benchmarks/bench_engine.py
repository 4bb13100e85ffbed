"""Engine figures: per-question latency (p50/p99) on the shipped and a 10,000-pair knowledge base,
load time and peak memory. Prints figures; it asserts nothing (targets are in the README).

    python benchmarks/bench_engine.py            # pinned to one core, as the targets are stated
    python benchmarks/bench_engine.py --pairs 2000

Targets (one core): p50 ≤ 1.5 ms and p99 ≤ 5 ms shipped; p99 ≤ 20 ms at 10,000 pairs;
``Chatbot.load()`` ≤ 1 s after imports; a command-line question (``python -m chatbot ask``,
a fresh process) ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

if "--all-cores" not in sys.argv[1:] and hasattr(os, "sched_setaffinity"):
    # Pinned before numpy is imported: OpenBLAS starts its threads then, and a thread keeps the
    # cores it started with, so pinning later left them free to run products on another core.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

from cases import ANSWERS, GENERIC, UNANSWERABLE  # noqa: E402

from chatbot import Chatbot  # noqa: E402
from chatbot.pairs import Pair  # noqa: E402
from chatbot.reply import Source  # noqa: E402

BAD = ["", "x" * 20_000, "😀🙏", "<script>alert(1)</script>", "¿Cuánto dura el alivio?", "\ud800 broken"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def latencies(bot: Chatbot, questions: list[str], rounds: int) -> list[float]:
    """Milliseconds per ``bot.ask``, each question asked ``rounds`` times (after one warm-up round)."""
    for question in questions:
        bot.ask(question)
    out = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            bot.ask(question)
            out.append((time.perf_counter() - start) * 1000)
    return out


def synthetic_pairs(base: tuple[Pair, ...], count: int, seed: int = 7) -> list[Pair]:
    """``count`` pairs built from the shipped ones: their sentences recombined under made-up procedures.

    The vocabulary grows with invented procedure and body-part names, as a real 10,000-pair
    library of many procedures would, so the index and the typo corrector do real work.
    """
    rng = random.Random(seed)
    sentences = [s for p in base for s in p.answer.replace("\n", " ").split(". ") if len(s.split()) > 4]
    parts = ["knee", "hip", "shoulder", "wrist", "ankle", "sacroiliac", "thoracic", "lumbar", "elbow", "jaw"]
    kinds = ["ablation", "block", "injection", "neurotomy", "stimulation", "rhizotomy", "denervation"]
    syllables = ["ra", "lo", "mi", "ten", "sar", "vel", "do", "qui", "nor", "zen", "pha", "tri"]
    pairs = list(base)
    for i in range(count - len(base)):
        name = f"{rng.choice(parts)} {''.join(rng.sample(syllables, 3))} {rng.choice(kinds)}"
        template = rng.choice(base)
        answer = ". ".join(rng.sample(sentences, 3)) + "."
        pairs.append(
            Pair(
                id=f"synthetic/{i}",
                question=template.question.replace(template.procedure or "rhizotomy", name),
                variants=tuple(v.replace(template.procedure or "rhizotomy", name) for v in template.variants[:2]),
                answer=f"{name.capitalize()}: {answer}",
                source=Source(f"{name.title()} Guide", f"synthetic-{i}.txt"),
                procedure=name,
                topic=template.topic,
            )
        )
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=10_000, help="size of the generated knowledge base")
    parser.add_argument("--rounds", type=int, default=20, help="times each question is asked")
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    args = parser.parse_args()
    questions = [q for q, _ in ANSWERS] + list(UNANSWERABLE) + list(GENERIC)

    command = [sys.executable, "-m", "chatbot", "ask", "how long does the relief last"]
    walls = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(
        "`python -m chatbot ask` (a fresh process: imports, load, one answer): "
        f"median {statistics.median(walls):.2f} s, best {min(walls):.2f} s"
    )

    loads = []
    for _ in range(5):
        start = time.perf_counter()
        bot = Chatbot.load()
        loads.append(time.perf_counter() - start)
    median, best = statistics.median(loads) * 1000, min(loads) * 1000
    print(f"Chatbot.load() after imports: median {median:.0f} ms, best {best:.0f} ms")

    shipped = latencies(bot, questions, args.rounds)
    print(
        f"shipped knowledge base ({len(bot.pairs)} pairs, {len(questions)} questions x {args.rounds}): "
        f"p50 {percentile(shipped, 50):.2f} ms, p99 {percentile(shipped, 99):.2f} ms, max {max(shipped):.2f} ms"
    )
    bad = latencies(bot, BAD, args.rounds)
    print(f"bad input (empty, 20,000 chars, emoji, markup, other language): p99 {percentile(bad, 99):.2f} ms")

    shipped_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory with the shipped knowledge base (max RSS, imports included): {shipped_peak:.0f} MB")

    pairs = synthetic_pairs(bot.pairs, args.pairs)
    start = time.perf_counter()
    big = Chatbot(pairs, settings=bot.settings, synonyms=bot.synonyms, safety=bot.safety, smalltalk=bot.smalltalk)
    fit = time.perf_counter() - start
    large = latencies(big, questions, max(1, args.rounds // 4))
    print(
        f"generated knowledge base ({len(pairs)} pairs): index built in {fit:.2f} s; "
        f"p50 {percentile(large, 50):.2f} ms, p99 {percentile(large, 99):.2f} ms, max {max(large):.2f} ms"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory with the {len(pairs)}-pair knowledge base also loaded: {peak:.0f} MB")


if __name__ == "__main__":
    main()
