"""Red-flag symptoms asked about as questions, from a set written by a helper who never saw the rules.

``tests/data/safety_questions.tsv``: 60 messages (``A``) from patients or carers who have a
red-flag symptom now but ask about it ("is it normal that i cant feel my right arm properly after
the neck RF? its gone numb and heavy since last night"), and 60 (``B``) that ask about the same
symptoms as possible risks, by people who do not have them. Measured once before anything was
fitted to it: 43 of the 60 got urgent advice, 8 more with the safety net, and 9 none at all (a
carer telling of a child's thoughts of self-harm among them); the rules were then extended with
the words those nine used. A question about a risk must never get the safety net; seven of them
still get the emergency reply (known false alarms, strict so that a fix says so).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.safety import SafetyRules

ROWS = [
    tuple(line.split("\t", 1))
    for line in (Path(__file__).parent / "data" / "safety_questions.tsv").read_text(encoding="utf-8").splitlines()
    if "\t" in line
]
HAVING = [message for label, message in ROWS if label == "A"]
RISKS = [message for label, message in ROWS if label == "B"]
FALSE_ALARMS = frozenset(
    {
        "how do I keep the needle site clean so it doesn't get infected?",
        "how much bleeding is too much after the procedure? just want to know what to look for",
        "my neighbour said her leg went numb for a week after hers, does that happen a lot?",
        "my mum's worried she'll lose control of her bowels after her back ablation, is that a real risk?",
        "can the sedation cause chest pain? i have angina and i'm booked in next month",
        "what symptoms after the procedure mean I should call 999?",
        "my daughter had hives from a plaster once, should i tell the team before her SDR?",
    }
)


@pytest.fixture(scope="module")
def rules() -> SafetyRules:
    return SafetyRules.from_file(Path(__file__).parent / "kb" / "safety.yaml")


def test_the_set_is_whole() -> None:
    assert len(HAVING) == len(RISKS) == 60
    assert set(RISKS) >= FALSE_ALARMS


@pytest.mark.parametrize("message", HAVING)
def test_a_symptom_the_patient_has_gets_urgent_advice(rules: SafetyRules, message: str) -> None:
    assessment = rules.assess(message)
    assert assessment.reported is not None or assessment.asked is not None


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(m, marks=pytest.mark.xfail(strict=True, reason="known false alarm")) if m in FALSE_ALARMS else m
        for m in RISKS
    ],
)
def test_a_question_about_a_risk_gets_neither_alarm_nor_safety_net(rules: SafetyRules, message: str) -> None:
    assert rules.assess(message).reported is None
    assert rules.assess(message).asked is None
