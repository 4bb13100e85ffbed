"""Red-flag symptoms asked about as questions, from two sets written by helpers who never saw the rules.

``tests/data/safety_questions.tsv``: 60 messages (``A``) from patients or carers who have a
red-flag symptom now but ask about it ("is it normal that i cant feel my right arm properly after
the neck RF? its gone numb and heavy since last night"), and 60 (``B``) that ask about the same
symptoms as possible risks, by people who do not have them. Measured once before anything was
fitted to it: 43 of the 60 got urgent advice, 8 more with the safety net, and 9 none at all (a
carer telling of a child's thoughts of self-harm among them); the rules were then extended with
the words those nine used.

``tests/data/safety_questions_2.tsv``, a second set of the same kinds: half of its reports end
with a question about the symptom ("... is that common?", "could that be from the operation?"),
and most of its risk questions tell the worry first and ask "how likely is that?" after it.
Measured once before anything was fitted to it: 58 of the 60 reports got urgent advice ("my
daughter pooed herself at school today", "my legs feel heavy and numb" did not) and 13 of the
60 risk questions got the emergency reply; after the fixes (those words, a worry then "how
likely is that?", "worried sick about") 60 of 60 and 9 of 60.

``tests/data/red_flag_reports.tsv``: 110 reports of a red flag happening now, 11 for each of
ten symptoms (rule, message), in the words of patients and carers: slang, typos, stories,
symptoms described rather than named, several in one message. Measured once before anything was
fitted to it: 93 of 110 got urgent advice, one more a safety net. The 16 others included "chest
pain and he's gone grey and sweaty" ("gone" read as over), "his lips look a bit blue", "I can
hardly wake her", "I'm thinking about ending it" and "I've taken all my leftover tramadol"; the
rules were then extended with those words, and all 110 get urgent advice.

A question about a risk must never get the safety net; the ones that still get the emergency
reply are known false alarms, strict so that a fix says so.
"""

from __future__ import annotations

import pytest
from conftest import DATA

from chatbot.alarmtrain import read_rows
from chatbot.safety import SafetyRules

ROWS = [row for name in ("safety_questions.tsv", "safety_questions_2.tsv") for row in read_rows(DATA / name)]
HAVING = [message for label, message in ROWS if label == "A"]
REPORTS = read_rows(DATA / "red_flag_reports.tsv")
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
        "I have a latex allergy and I'm allergic to iodine. Is anaphylaxis a possibility with the procedure?",
        "incontinence after selective dorsal rhizotomy - is it a real risk?",
        "My husband gets very low when he's in pain. If the procedure doesn't work, is there a risk he'll have "
        "thoughts of harming himself? Where could we get support?",
        "The leaflet lists fever as a possible complication. How soon after would that normally show up?",
        "My husband has had depression in the past. Can a failed rhizotomy make people feel suicidal?",
        "I'm worried sick that the rhizotomy will leave my hands numb. Is that a thing?",
        "I'm having the neck procedure in 3 weeks and keep imagining the worst, like waking up unable to move my "
        "arms. Realistically, how likely is that?",
        "worried sick about my son losing bladder control after his SDR next month. what are the chances?",
        "I have a heart condition. Is chest pain something that can happen during or after the procedure?",
    }
)


def test_the_set_is_whole() -> None:
    assert len(HAVING) == len(RISKS) == 120
    assert len(REPORTS) == 110 and {symptom for symptom, _ in REPORTS} >= {"fever", "self_harm", "bladder_bowel"}
    assert set(RISKS) >= FALSE_ALARMS


@pytest.mark.parametrize(("symptom", "message"), REPORTS)
def test_a_red_flag_reported_in_a_patients_words_gets_urgent_advice(
    rules: SafetyRules, symptom: str, message: str
) -> None:
    assert rules.check(message) is not None, symptom


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
