"""Answer quality on the test split of the question bank: the figures the README reports.

Every question is asked on its own (``bot.ask``). A covered question is answered right when the
passage contains one of its quotes or was judged right (``tests/bank/judgements.yaml``), wrong
when another passage is given; declining or asking which procedure is neither. Uncovered,
off-topic and other-procedure questions must be declined. A covered question that is not
answered counts as one tap away when one of the questions its reply offers, asked as tapping it
asks it, is answered right. The test split is never used to fit
or tune anything (see :mod:`chatbot.train`).

    python benchmarks/answer_quality.py            # the test split
    python benchmarks/answer_quality.py --split dev
    python benchmarks/answer_quality.py --bank tests/bank/next --split all   # a new batch no model has seen
    python benchmarks/answer_quality.py --threshold 0.9   # a stricter clinic (answer_threshold in clinic.yaml)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot import Chatbot  # noqa: E402
from chatbot.train import _outcome, evaluate, read_bank, risk_coverage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split", default="test", choices=("train", "dev", "test", "all"), help="all: every question of the bank"
    )
    parser.add_argument("--bank", type=Path, default=ROOT / "tests" / "bank")
    parser.add_argument(
        "--threshold", type=float, default=None, help="answer threshold (default: clinic.yaml's, else the model's)"
    )
    args = parser.parse_args()
    split = None if args.split == "all" else args.split
    bank = [question for question in read_bank(args.bank) if split is None or question.split == split]
    bot = Chatbot.load() if args.threshold is None else Chatbot.load(threshold=args.threshold)
    figures = evaluate(bot, bank, split=split)
    print(f"split: {args.split}; answer threshold {bot.threshold:.2f}")
    print(
        f"covered questions: {figures.covered}: right {figures.right} ({figures.share(figures.right):.1%}), "
        f"wrong {figures.wrong} ({figures.share(figures.wrong):.1%}), clarified {figures.clarified}, "
        f"declined {figures.declined} ({figures.share(figures.declined):.1%})"
    )
    for kind, (total, declined) in sorted(figures.others.items()):
        print(f"{kind}: {declined}/{total} declined ({declined / total:.1%})")
    unanswered = offered = others_offered = 0
    for question in bank:
        if not question.covered:
            other = bot.ask(question.text)
            others_offered += other.kind != "answer" and other.suggestions != ()
        else:
            reply = bot.ask(question.text)
            if reply.kind != "answer":
                unanswered += 1
                taps = [bot.ask(suggestion) for suggestion in reply.suggestions]  # what tapping one answers
                offered += any(tap.kind == "answer" and question.is_right(tap.passage, tap.pair_id) for tap in taps)
    print(
        f"not answered: {unanswered}, of which {offered} offer a right passage to tap "
        f"({offered / max(1, figures.covered):.1%} of the covered questions one tap away); "
        f"{others_offered} of the others are declined with questions to tap"
    )
    by_style: dict[str, Counter[str]] = {}
    for question in bank:
        if question.covered:
            verdict, _ = _outcome(bot, question)
            by_style.setdefault(question.style or "-", Counter())[verdict] += 1
    print("by style (right/wrong/declined):")
    for style, counts in sorted(by_style.items()):
        print(f"  {style:8s} {counts['right']}/{counts['wrong']}/{counts['declined'] + counts['clarified']}")
    print("risk–coverage (threshold: covered right, covered wrong, others answered):")
    thresholds = (0.3, 0.4, 0.5, 0.6, 0.7, round(bot.threshold, 2), 0.9)
    for threshold, right, wrong, through in risk_coverage(bot, bank, split=split, thresholds=sorted(set(thresholds))):
        print(f"  {threshold:.2f}: {right:.1%} right, {wrong:.1%} wrong, {through:.1%} of the others answered")


if __name__ == "__main__":
    main()
