"""The learned red-flag safety net (:mod:`chatbot.alarm`): what the word rules miss, measured on
sets it never learned from, and how it fails closed.

``tests/data/red_flag_reports_2.tsv`` (120 reports of twelve kinds of red flag in patients' and
carers' words) and ``tests/data/safety_look_alikes.tsv`` (150 messages that mention a symptom
without reporting one now: risks, denials, the past, expected after-effects, other senses,
planning) were written by helpers who saw neither the rules nor the code, and are kept out of
the model's training (:data:`chatbot.alarmtrain.HELD_OUT`). The word rules alone gave urgent
advice to 94 of the 120 reports and the emergency reply to 15 of the 150 look-alikes; with the
safety net, 110 of 120 (111 since "no longer wish to go on living" was added to the rules), and
4 more look-alikes get a safety net. The ones still wrong are
listed, strict, so that a change that fixes one says so.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.alarm import ALARM_FORMAT, DEFAULT_ALARM, NOTHING, UNSURE, AlarmModel
from chatbot.alarmtrain import HELD_OUT, TRAINED_SETS, alarm_examples, fit_alarm
from chatbot.arrayfile import dump_arrays
from chatbot.safety import SafetyRules

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(label, message) for label, message in (line.split("\t", 1) for line in lines if "\t" in line)]


REPORTS = _rows("red_flag_reports_2.tsv")
LOOK_ALIKES = _rows("safety_look_alikes.tsv")
STILL_MISSED = frozenset(  # the first 60 characters of each
    {
        "hello, after procedure my father have blood coming a lot fro",
        "Query re my follow up appt, can I move it to the 20th as I h",
        "Good evening. I have a headache of extraordinary severity, q",
        "hi, i have big pain in head when i stand, when i lay down is",
        "Question about when I can go back to the gym after the facet",
        "not sure if this is important but im puffing like ive run a ",
        "when is my follow up? tbh doesnt matter, i wont be around fo",
        "hello, my father fall down and not answer when i call him",
        "hello, my mother talk strange, words not right, and the face",
    }
)
STILL_ALARMED = frozenset(
    {
        "is an allergic reaction to the local anaesthetic a thing? I ",
        "can rhizotomy make my legs weak? im a farmer and need my leg",
        "What happens if I start bleeding through the dressing - do I",
        "no bleeding at all from the site, is it ok to go swimming ne",
        "She hasn't had a temperature and she's eating well. Can she ",
        "Not dizzy, haven't fainted, eating and drinking ok. Can I go",
        "no trouble breathing, no chest tightness - I just want to kn",
        "my neighbour bled a lot after hers, does that happen often?",
        "Years ago I had a reaction to penicillin - came up in hives.",
        "I had a seizure once when I was 19, nothing since (I'm 54 no",
        "My friend's son had SDR and he wet the bed for a few weeks a",
        "The wound from my first rhizotomy got a bit infected but ant",
        "I went through a really dark patch a couple of years ago and",
        "My daughter had a febrile convulsion as a baby. She's 7 now ",
        "After my knee op in 2020 I couldn't pee for a few hours, the",
        "I had an allergic reaction to plasters after my last op, wen",
        "My old physio said one of her patients lost feeling in his h",
        "Should I bring my EpiPen on the day? I carry it for a nut al",
        "Who should I ring if I get a headache that's worse when I st",
        "Should I have some spare dressings at home in case the site ",
    }
)


@pytest.fixture(scope="module")
def alarm() -> AlarmModel:
    return AlarmModel.from_file()


def _urgent(rules: SafetyRules, alarm: AlarmModel, message: str) -> bool:
    found = rules.assess(message)
    return bool(found.reported or found.asked or alarm.suspect(message, rules=rules.names))


def test_the_held_out_sets_are_whole_and_never_trained_on() -> None:
    assert len(REPORTS) == 120 and len(LOOK_ALIKES) == 150
    assert {"red_flag_reports_2.tsv", "safety_look_alikes.tsv"} == HELD_OUT
    assert not HELD_OUT & set(TRAINED_SETS)
    assert {m[:60] for _, m in REPORTS} >= STILL_MISSED and {m[:60] for _, m in LOOK_ALIKES} >= STILL_ALARMED


@pytest.mark.parametrize(
    ("symptom", "message"),
    [
        pytest.param(s, m, marks=pytest.mark.xfail(strict=True, reason="known miss"))
        if m[:60] in STILL_MISSED
        else (s, m)
        for s, m in REPORTS
    ],
)
def test_a_report_the_model_never_saw_gets_urgent_advice(
    rules: SafetyRules, alarm: AlarmModel, symptom: str, message: str
) -> None:
    assert _urgent(rules, alarm, message), symptom


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        pytest.param(k, m, marks=pytest.mark.xfail(strict=True, reason="known false alarm"))
        if m[:60] in STILL_ALARMED
        else (k, m)
        for k, m in LOOK_ALIKES
    ],
)
def test_a_look_alike_the_model_never_saw_gets_no_urgent_advice(
    rules: SafetyRules, alarm: AlarmModel, kind: str, message: str
) -> None:
    assert not _urgent(rules, alarm, message), kind


@pytest.mark.parametrize(
    ("message", "advice"),
    [
        # what the rules miss: the model's advice, the rule's own when one clearly fits
        ("I just want it all to stop. The pain's the same after the rhizotomy and I can't do this anymore.", "talk to"),
        (
            "My son had his SDR on Monday, he normally wees loads but his pad has been bone dry since yesterday",
            "bladder",
        ),
        ("mums face has gone weird on one side and shes talking like shes drunk but she hasnt had anything", "Some of"),
        # the rules' own verdicts come first, and ordinary questions get nothing
        ("I have a fever of 39 since the procedure", None),
        ("how long does the pain relief last after cervical rhizotomy", None),
        ("can I drive home after the procedure?", None),
    ],
)
def test_the_reply_carries_the_safety_net_and_still_answers(bot: Chatbot, message: str, advice: str | None) -> None:
    reply = bot.ask(message)
    if advice is None:
        assert not reply.safety_net
        return
    assert reply.kind in {"answer", "fallback", "clarify", "smalltalk", "handoff"}
    assert advice in reply.safety_net and "911" in reply.safety_net


def _model(threshold: float, coef: list[list[float]], classes: tuple[str, ...]) -> AlarmModel:
    """A one-word model: the word "zz" (its character n-grams unknown) with these class weights."""
    return AlarmModel(({"zz": 0}, {}), np.ones(1), np.asarray(coef), np.zeros(len(classes)), classes, threshold)


@pytest.mark.parametrize(("threshold", "flagged"), [(0.49, True), (0.51, False)])
def test_the_threshold_decides(threshold: float, flagged: bool) -> None:
    # "zz" alone: scores 0 and 0 for (nothing, fever): a report with probability 0.5
    model = _model(threshold, [[0.0], [0.0]], (NOTHING, "fever"))
    assert (model.suspect("zz", rules=["fever"]) is not None) is flagged


@pytest.mark.parametrize(
    ("coef", "classes", "rule"),
    [
        # fever holds 53% of the probability of a report: its advice
        ([[0.0], [0.0], [np.log(0.9)]], (NOTHING, "fever", "bleeding"), "fever"),
        # three rules a third each: none clearly fits, the general advice
        ([[0.0], [0.0], [0.0], [0.0]], (NOTHING, "fever", "bleeding", "breathing"), None),
    ],
)
def test_the_advice_is_a_rules_only_when_it_clearly_fits(
    coef: list[list[float]], classes: tuple[str, ...], rule: str | None
) -> None:
    suspicion = _model(0.1, coef, classes).suspect("zz", rules=classes[1:])
    assert suspicion is not None and suspicion.rule == rule


def test_a_rule_the_clinic_removed_is_never_named() -> None:
    model = _model(0.1, [[0.0], [5.0], [0.0]], (NOTHING, "seizure", "fever"))
    suspicion = model.suspect("zz", rules=["fever"])
    assert suspicion is not None and suspicion.rule is None


def test_the_unsure_advice_has_every_number_to_call(bot: Chatbot) -> None:
    for placeholder in ("{urgent_phone}", "{emergency_number}", "{crisis_line}"):
        assert placeholder in UNSURE


def _write(tmp_path: Path, **change: object) -> Path:
    arrays = {
        "word_terms": np.asarray(["zz"]),
        "char_terms": np.asarray([" zz"]),
        "idf": np.ones(2),
        "coef": np.zeros(4),
        "intercept": np.zeros(2),
        "classes": np.asarray([NOTHING, "fever"]),
    }
    meta: dict[str, object] = {"format": ALARM_FORMAT, "threshold": 0.7}
    for name, value in change.items():
        (meta if name in meta else arrays)[name] = value  # type: ignore[index]
    path = tmp_path / "alarm.npz"
    path.write_bytes(dump_arrays(arrays, meta))
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    assert AlarmModel.from_file(_write(tmp_path)).threshold == 0.7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coef": np.zeros(3)}, r"alarm\.npz: arrays or threshold that do not fit together"),
        ({"classes": np.asarray(["fever", "bleeding"])}, r"alarm\.npz: arrays or threshold that do not fit together"),
        ({"threshold": 1.5}, r"alarm\.npz: arrays or threshold that do not fit together"),
        ({"format": 99}, r"alarm\.npz: alarm model format 99, this version reads 1"),
    ],
)
def test_a_broken_model_stops_the_load_naming_the_file(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        AlarmModel.from_file(_write(tmp_path, **change))


def test_a_cut_or_missing_file_stops_the_load(tmp_path: Path) -> None:
    path = tmp_path / "alarm.npz"
    path.write_bytes(DEFAULT_ALARM.read_bytes()[:5000])
    with pytest.raises(KnowledgeBaseError, match=r"alarm\.npz: not a readable alarm model file"):
        AlarmModel.from_file(path)
    with pytest.raises(KnowledgeBaseError, match=r"missing\.npz: file not found; run `python -m chatbot train-alarm`"):
        AlarmModel.from_file(tmp_path / "missing.npz")


def test_the_shipped_model_is_a_zip_of_plain_arrays() -> None:
    with zipfile.ZipFile(DEFAULT_ALARM) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"{n}.npy" for n in ("meta", "word_terms", "char_terms", "idf", "coef", "intercept", "classes")
        )


def test_train_alarm_reproduces_the_shipped_model(tmp_path: Path, rules: SafetyRules) -> None:
    """The shipped ``alarm.npz`` is what ``train-alarm`` learns from the tests folder (to rounding),
    and never learns from a held-out set."""
    messages, labels = alarm_examples(Path(__file__).parent, rules)
    held_out = {m for name in HELD_OUT for _, m in _rows(name)}
    assert not held_out & set(messages)
    data, figures = fit_alarm(messages, labels)
    (tmp_path / "alarm.npz").write_bytes(data)
    learned, shipped = AlarmModel.from_file(tmp_path / "alarm.npz"), AlarmModel.from_file()
    assert learned.classes == shipped.classes and learned.vocabularies == shipped.vocabularies
    assert learned.threshold == shipped.threshold == figures["threshold"]
    np.testing.assert_allclose(learned.coef, shipped.coef, atol=1e-5)
    assert figures["quiet_netted"] <= 0.02
