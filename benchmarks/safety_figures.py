"""Print red-flag recall, false-alarm rate and timing of the safety rules, for the README.

Run from the repository root:  python benchmarks/safety_figures.py

Recall counts a red flag as caught only when the *expected* rule fires (a fever reported as
"bleeding" would send the patient to the wrong number). False alarms are counted over the
look-alike table and over the ordinary patient questions the retrieval tests use.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from cases import ANSWERS, GENERIC, UNANSWERABLE  # noqa: E402
from safety_cases import LOOK_ALIKES, RED_FLAGS  # noqa: E402
from test_safety import PATHOLOGICAL  # noqa: E402

from chatbot.alarm import AlarmModel  # noqa: E402
from chatbot.alarmtrain import read_rows  # noqa: E402
from chatbot.safety import SafetyRules  # noqa: E402


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%"


def _milliseconds(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``run`` in milliseconds (the median ignores one-off pauses)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _tsv(name: str) -> list[tuple[str, str]]:
    """(label, message) rows of ``tests/data/<name>``."""
    return read_rows(ROOT / "tests" / "data" / name)


def print_held_out(rules: SafetyRules, alarm: AlarmModel) -> None:
    """Urgent advice on the sets helpers wrote without seeing the rules (``tests/data``): reports must
    get it (the emergency reply, or the safety net), questions about risks and look-alikes must
    not. With the learned safety net (:mod:`chatbot.alarm`) and without; its own figures come from
    the two sets it never learned from (``chatbot.alarmtrain.HELD_OUT``)."""
    asked = [row for name in ("safety_questions.tsv", "safety_questions_2.tsv") for row in _tsv(name)]
    sets = {
        "reports the rules were fixed on or the net trained on": [
            m for name in ("red_flag_reports.tsv", "red_flag_reports_2.tsv") for _, m in _tsv(name)
        ]
        + [m for label, m in asked if label == "A"],
        "risk questions the rules were fixed on (trained on)": [m for label, m in asked if label == "B"],
        "look-alikes the rules were fixed on (trained on)": [m for _, m in _tsv("safety_look_alikes.tsv")],
        "reports never used (held out)": [m for _, m in _tsv("red_flag_reports_3.tsv")],
        "look-alikes never used (held out)": [m for _, m in _tsv("safety_look_alikes_2.tsv")],
    }
    for name, messages in sets.items():
        found = [rules.assess(m) for m in messages]
        ruled = sum(bool(f.reported or f.asked) for f in found)
        netted = sum(
            not (f.reported or f.asked) and alarm.suspect(m, rules=rules.names, denied=f.denied) is not None
            for m, f in zip(messages, found, strict=True)
        )
        doubted = sum(bool(f.reported) and alarm.doubts(m) for m, f in zip(messages, found, strict=True))
        print(
            f"{name}: urgent advice {_percent(ruled, len(messages))} by the rules, {ruled + netted} with the net; "
            f"{doubted} of the rules' emergency replies doubted (answered under the advice)"
        )


def main() -> None:
    rules = SafetyRules.from_file(ROOT / "faq" / "safety.yaml")
    caught = [message for message, name in RED_FLAGS if (flag := rules.check(message)) and flag.name == name]
    any_flag = [message for message, _ in RED_FLAGS if rules.check(message)]
    questions = [q for q, _ in ANSWERS] + list(GENERIC) + list(UNANSWERABLE)
    look_alike_alarms = [message for message in LOOK_ALIKES if rules.check(message)]
    question_alarms = [message for message in questions if rules.check(message)]

    print(f"red-flag recall (expected rule):   {_percent(len(caught), len(RED_FLAGS))}")
    print(f"red-flag recall (any alarm):       {_percent(len(any_flag), len(RED_FLAGS))}")
    print(f"false alarms, look-alikes:         {_percent(len(look_alike_alarms), len(LOOK_ALIKES))}")
    print(f"false alarms, ordinary questions:  {_percent(len(question_alarms), len(questions))}")
    print(f"rules: {len(rules.rules)}, red flags: {len(RED_FLAGS)}, look-alikes: {len(LOOK_ALIKES)}")
    netted = [message for message in LOOK_ALIKES if rules.assess(message).asked]
    netted_questions = [message for message in questions if rules.assess(message).asked]
    print(f"safety nets, look-alikes:          {_percent(len(netted), len(LOOK_ALIKES))}")
    print(f"safety nets, ordinary questions:   {_percent(len(netted_questions), len(questions))}")
    for message, name in RED_FLAGS:
        if message not in caught:
            print(f"  missed ({name}): {message}")
    for message in look_alike_alarms + question_alarms:
        print(f"  false alarm: {message}")

    print_held_out(rules, AlarmModel.from_file())

    typical = "Hi, I had my neck rhizotomy last Tuesday and wondered how long the relief usually lasts?"
    prose = (ROOT / "faq" / "documents" / "percutaneous-rhizotomy.txt").read_text(encoding="utf-8")
    story = (prose * 4)[:20_000]
    print(f"check(), typical message:          {_milliseconds(lambda: rules.check(typical), 500):.3f} ms")
    print(f"check(), 20,000 characters prose:  {_milliseconds(lambda: rules.check(story), 20):.1f} ms")
    print(f"check(), 20,000 characters 'a a':  {_milliseconds(lambda: rules.check('a ' * 10_000), 20):.1f} ms")
    # Hundreds of matches that do not count, in one clause: each clause is searched once per cue, not per match.
    history = "I had a fever last month " * 800
    print(f"check(), 20,000 characters history: {_milliseconds(lambda: rules.check(history), 20):.1f} ms")
    # The long, repetitive messages of tests/test_safety.py (which checks they work, not how fast).
    slowest = max(PATHOLOGICAL, key=lambda message: _milliseconds(lambda: rules.check(message), 3))
    print(
        f"check(), slowest of {len(PATHOLOGICAL)} long repetitive messages: "
        f"{_milliseconds(lambda: rules.check(slowest), 5):.1f} ms ({slowest[:24]!r}...)  [target < 200 ms]"
    )


if __name__ == "__main__":
    main()
