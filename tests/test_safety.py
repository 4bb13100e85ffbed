"""Red-flag, crisis and personal-decision detection, and the validation of ``safety.yaml``.

The tables in ``safety_cases.py`` are the contract: every red flag must raise its rule and every
look-alike (a question about a risk, a negated or resolved symptom, an expected one) must not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cases import ANSWERS, GENERIC, UNANSWERABLE
from safety_cases import LOOK_ALIKES, RED_FLAGS

from chatbot.errors import KnowledgeBaseError
from chatbot.safety import Assessment, RedFlag, SafetyRules
from chatbot.settings import ClinicSettings

SAFETY = Path(__file__).resolve().parent / "kb" / "safety.yaml"

CUSTOM = ClinicSettings(
    name="Harbour Spine Centre",
    phone="02 5550 1234",
    urgent_phone="02 5550 9876",
    hours="weekdays 7 am to 3 pm",
    emergency_number="000",
    crisis_line="Lifeline on 13 11 14",
)
"""Settings unlike the defaults, so a reply that ignores the clinic's own numbers fails."""

URGENT_RULES = ("fever", "wound_infection", "csf_leak")
"""Rules whose reply sends the patient to the clinic's urgent line first."""


def flag_name(rules: SafetyRules, message: str) -> str | None:
    """The name of the rule ``message`` sets off, or ``None``: what the tables of messages check."""
    flag = rules.check(message)
    return flag.name if flag else None


@pytest.mark.parametrize(("message", "name"), RED_FLAGS)
def test_red_flags_are_caught(rules: SafetyRules, message: str, name: str) -> None:
    flag = rules.check(message)
    assert flag is not None, message
    assert flag.name == name
    assert flag.kind == ("crisis" if name == "self_harm" else "emergency")


@pytest.mark.parametrize("message", LOOK_ALIKES)
def test_look_alikes_are_not_emergencies(rules: SafetyRules, message: str) -> None:
    assert rules.check(message) is None


@pytest.mark.parametrize("message", [q for q, _ in ANSWERS] + list(GENERIC) + list(UNANSWERABLE))
def test_ordinary_questions_are_not_emergencies(rules: SafetyRules, message: str) -> None:
    """The questions the retrieval tests answer must never be hijacked by an emergency reply."""
    assert rules.check(message) is None


# Asked as questions, in words that take the symptom as present: found by a new user (the first
# four), who got a plain "not covered" and the office number.
PRESUPPOSED = (
    ("is it normal to have a fever after rhizotomy", "fever"),
    ("is it normal for the wound to have pus in it", "wound_infection"),
    ("should i worry if i have a temperature of 39 after the procedure", "fever"),
    ("is it normal to have a headache that gets worse when i sit up after neck rhizotomy", "csf_leak"),
    ("should i be worried about pus at the needle site", "wound_infection"),
    ("is a fever of 38 normal after rfa", "fever"),
)


@pytest.mark.parametrize(("message", "name"), PRESUPPOSED)
def test_a_question_that_takes_a_red_flag_as_present_gets_a_safety_net(
    rules: SafetyRules, message: str, name: str
) -> None:
    assessment = rules.assess(message)
    assert assessment.reported is None, "still a question, answered as one"
    assert assessment.asked is not None and assessment.asked.name == name
    net = rules.safety_net(assessment.asked, ClinicSettings())
    assert net.startswith("If this is happening to you now: ")
    assert ClinicSettings().urgent_phone in net


@pytest.mark.parametrize(
    "message",
    [
        "can rhizotomy cause a fever",
        "Could my daughter end up paralysed from the operation?",
        "how common is a spinal fluid leak after neck rhizotomy",
        "I'm worried about paralysis",
        "is weakness in the legs part of the normal recovery after selective dorsal rhizotomy",
        "no fever after my rhizotomy, is that normal?",
        "i had a fever last month, is that normal?",
        "is hay fever normal in spring",
    ],
)
def test_a_question_about_a_possible_risk_gets_no_safety_net(rules: SafetyRules, message: str) -> None:
    """Urgent advice on "could it cause paralysis?" would only frighten; a denied or past symptom is no question."""
    found = rules.assess(message)
    assert found.reported is None and found.asked is None


@pytest.mark.parametrize(
    ("message", "reported"),
    [
        # a fresh-eyes trial: only the safety net, not the emergency reply
        ("My mum had a rhizotomy 3 days ago and she's confused and hot to touch", "fever"),
        ("his forehead is hot to the touch and he's not himself", "fever"),
        ("the wound is hot to the touch", "wound_infection"),
        ("she is not hot to touch, just tired", None),
        ("the radiator by my bed is hot to the touch", None),
    ],
)
def test_a_person_hot_to_the_touch_has_a_fever(rules: SafetyRules, message: str, reported: str | None) -> None:
    found = rules.assess(message).reported
    assert (found.name if found else None) == reported


@pytest.mark.parametrize(
    ("message", "denied", "reported"),
    [
        # a negation that runs into the match: the pattern "have a temperature" took its "have"
        ("I don't have a temperature, but the area is a bit red. normal?", {"fever"}, None),
        ("i havent got a temperature", {"fever"}, None),
        ("I do not have a temperature", {"fever"}, None),
        ("I'm not having any chest pain but I feel a bit tired after the procedure", {"chest_pain"}, None),
        ("Fever: no", {"fever"}, None),
        # the same words reported, or one symptom denied and another reported
        ("I have a temperature", set(), "fever"),
        ("I've got a temperature and I don't know what to do", set(), "fever"),
        ("no fever but I have chest pain", set(), "chest_pain"),
    ],
)
def test_a_denied_symptom_is_named_as_denied_and_never_reported(
    rules: SafetyRules, message: str, denied: set[str], reported: str | None
) -> None:
    found = rules.assess(message)
    assert (found.reported.name if found.reported else None) == reported
    assert found.denied == denied


def test_look_alikes_rarely_get_a_safety_net(rules: SafetyRules) -> None:
    """Only the look-alikes that take a symptom as present or ask when to call (3 of 351) get one."""
    netted = [message for message in LOOK_ALIKES if rules.assess(message).asked]
    assert netted == [
        "Do I need to call an ambulance if I get a fever?",
        "should i go to a&e if i get a high temperature",
        "is a fever of 38 normal after rfa",
    ]


def test_a_report_is_no_question(rules: SafetyRules) -> None:
    assessment = rules.assess("I have a fever and pus at the needle site, is that normal?")
    assert assessment.reported is not None and assessment.asked is None


def test_without_the_presupposed_cues_no_question_gets_a_safety_net(tmp_path: Path) -> None:
    """A clinic's older safety.yaml without ``presupposed`` stays valid, and behaves as before."""
    text = SAFETY.read_text(encoding="utf-8")
    start = text.index("  # (optional) Words that ask about a symptom as one the patient has")
    end = text.index("# Questions about the patient's own medicines")
    older = tmp_path / "safety.yaml"
    older.write_text(text[:start] + text[end:], encoding="utf-8")
    rules = SafetyRules.from_file(older)
    assert rules.context.presupposed is None
    assert all(rules.assess(message) == Assessment() for message, _ in PRESUPPOSED)


def test_every_rule_has_a_red_flag_case(rules: SafetyRules) -> None:
    covered = {name for _, name in RED_FLAGS}
    assert [rule.name for rule in rules.rules if rule.name not in covered] == []


def test_tables_are_big_enough() -> None:
    assert len(RED_FLAGS) >= 30
    assert len(LOOK_ALIKES) >= 30


def test_match_reports_the_words_that_triggered_it(rules: SafetyRules) -> None:
    assert rules.check("help, I cant breath!!") == RedFlag("emergency", "breathing", "cant breath")
    assert rules.check("TEMPRATURE OF 39") == RedFlag("emergency", "fever", "temprature of 39")


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("I have a fever and since an hour I have chest pain", "chest_pain"),
        ("now he's burning up and won't wake up properly", "unresponsive"),
        ("I have a fever and this is an emergency", "emergency_call"),
        ("I took too many pills because I want to die", "overdose"),
    ],
)
def test_the_more_serious_rule_wins(rules: SafetyRules, message: str, name: str) -> None:
    """Rules are listed most serious first; the order in the message does not matter."""
    flag = rules.check(message)
    assert flag is not None
    assert flag.name == name


def test_a_symptom_after_a_long_story_is_found(rules: SafetyRules) -> None:
    story = "I had the procedure on Monday and everything was fine, I rested and iced it. " * 60
    assert rules.check(story + "Now my arm went weak and I feel strange. " + story) == RedFlag(
        "emergency", "weakness", "arm went weak"
    )


@pytest.mark.parametrize(
    "message",
    ["no fever at all", "No fever, no chills", "I don't have any fever", "Free of fever since Monday"],
)
def test_negation_cancels(rules: SafetyRules, message: str) -> None:
    assert rules.check(message) is None


@pytest.mark.parametrize(
    "message",
    [
        "no fever but my legs are numb",
        "I have no pain and I can't feel my legs",
        "not sure if it matters, I can't feel my legs",
        "no idea why but I can't feel my legs",
    ],
)
def test_negation_stops_at_the_clause(rules: SafetyRules, message: str) -> None:
    flag = rules.check(message)
    assert flag is not None
    assert flag.name == "weakness"


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("can it cause paralysis", None),
        ("paralysis, can it cause that", "weakness"),
        ("is a fever normal after rfa", None),
        ("temp 39.1 this morning is that normal", "fever"),
        ("what should i do if the site is full of pus", None),
        ("the site is full of pus what should i do", "wound_infection"),
        ("what would an allergic reaction look like", None),
        ("face swelling up, what would you do", "allergic_reaction"),
    ],
)
def test_a_question_cancels_a_symptom_only_when_it_comes_first(
    rules: SafetyRules, message: str, name: str | None
) -> None:
    """ "Can it cause X?" asks about a risk; "X, is that normal?" reports X and asks for help."""
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("paralysis risk after sdr", None),
        ("paralysis - is that a risk?", "weakness"),
        ("paralysis is that a risk", None),
        ("chest pain, heart rate 140", "chest_pain"),
        ("chest pain heart rate 140", "chest_pain"),
    ],
)
def test_a_risk_word_right_after_the_symptom_asks(rules: SafetyRules, message: str, name: str | None) -> None:
    """Only words that ask about risk and nothing else ("risk", "odds"), in the symptom's clause."""
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        # words from the fourth held-out set (tests/data/red_flag_reports.tsv), and their look-alikes
        ("his breathing has gone really fast and noisy", "breathing"),
        ("this evening hes complaining of chest pain and hes gone grey and sweaty", "chest_pain"),
        ("the swelling has gone down now", None),
        ("chest feels like someone is sitting on it", "chest_pain"),
        ("her breathing is really slow and shallow, I can hardly wake her", "unresponsive"),
        ("she said she'd take all her tablets so she doesnt wake up", "self_harm"),
        ("he was so tired after the op and he wont wake up for his tea", "unresponsive"),
        ("my little girl sleeps through, she doesnt wake up at night", None),
        ("honestly i dont see the point anymore", "self_harm"),
        ("ive been planning how to end it", "self_harm"),
        ("I find I no longer wish to go on living", "self_harm"),
        ("I just want it all to stop, the pain is the same after the rhizotomy", "self_harm"),
        ("I just want the pain to stop", None),
        ("honestly I can't do this anymore", "self_harm"),
        ("his neck is so bad he can't do it anymore", None),
        ("I do not wish to go on with the booking", None),
        ("thinking about ending things with my physio early", None),
        ("I've taken all my leftover tramadol and a load of tylenol", "overdose"),
        ("took double my pain meds, feel woozy", "overdose"),
        ("can i take double my usual dose the night before?", None),
        ("my little boys scar is bleeding really bad", "bleeding"),
        ("is bleeding bad after the procedure?", None),
        ("I cant get it to stop bleeding", "bleeding"),
        ("my legs just went from under me", "weakness"),
        ("my foot is dragging and slapping on the floor", "weakness"),
        ("my legs feel heavy and numb", "weakness"),
        ("Will part of my arm or skin feel numb afterwards?", None),
        ("i think i wee'd myself in my sleep", "bladder_bowel"),
        ("my daughter pooed herself at school today", "bladder_bowel"),
        ("he hasn't done a wee since yesterday afternoon", "bladder_bowel"),
        ("has he had a wee since the op?", None),
        ("head is banging, cant look at the light", "severe_headache"),
        ("theres a wet squishy bulge by his scar", "csf_leak"),
        ("underneath its all red and squishy and smells kinda like cheese", "wound_infection"),
        ("my face is swelling and it feels hard to swallow", "allergic_reaction"),
        ("is it hard to swallow after neck rhizotomy?", None),
    ],
)
def test_lay_words_for_red_flags(rules: SafetyRules, message: str, name: str | None) -> None:
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        # a worry, then "how likely is that?" as its own sentence: a question about a risk
        ("My dad's diabetic and worried his neck might get infected afterwards. How likely is that?", None),
        ("Mum is terified this will leave her arms numb. Is that a real risk?", None),
        ("We're weighing up SDR. My biggest fear is it could leave him paralysed. Can that happen?", None),
        ("the op might make her legs weak. it scares me. so how likely is that", None),
        # the question two clauses on is too far, or asks for help, not how likely
        ("it might make her legs weak. it scares me. we talked. how likely is that", "weakness"),
        ("it might make her legs weak, is that normal?", "weakness"),
        # a report stays a report: no worry in its clause, or a sign of now, or the patient's own
        ("Dad's wound is oozing yellow stuff. Can that happen after this?", "wound_infection"),
        ("legs numb after the op. how likely is that?", "weakness"),
        ("worried her legs might go weak, they are numb since last night. how likely is that?", "weakness"),
        ("i am worried i have a fever. how likely is that after the op?", "fever"),
    ],
)
def test_a_worry_then_how_likely_is_that_asks(rules: SafetyRules, message: str, name: str | None) -> None:
    """Only when the symptom's clause tells a possibility or a worry and a next clause asks how likely it is."""
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("now shes having trouble breathing what do we do", "breathing"),
        ("he told us he cant feel his legs, should we wait", "weakness"),
        ("our son cant feel his legs is that normal", "weakness"),
        ("her lips are swelling, is it the anaesthetic?", "allergic_reaction"),
        ("if he gets a fever what do we do", None),
        ("he might get a fever, what then", None),
        ("does he get fevers after sdr", None),
        ("can it make her legs weak", None),
        ("my friend said she had a fever after hers, is that common", None),
    ],
)
def test_a_carer_report_counts_like_the_patients_own(rules: SafetyRules, message: str, name: str | None) -> None:
    """A parent or partner reporting someone else's symptom now needs the same reply; a hypothetical does not."""
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("had some chills the first night, gone now", None),
        ("my leg was numb for an hour, that was expected they said, all fine now", None),
        ("the site oozed a bit but its completely dry now", None),
        ("my leg went numb, no better now", "weakness"),
        ("my leg went numb, i fell over", "weakness"),
        ("my leg is numb, the headache is gone now but", "weakness"),
        ("my leg went numb, i rested, i iced it, all fine now", "weakness"),
    ],
)
def test_a_short_clause_soon_after_can_say_it_is_over(rules: SafetyRules, message: str, name: str | None) -> None:
    """A bare "gone now" up to two clauses later ends the symptom; a negated or longer clause does not."""
    assert flag_name(rules, message) == name


@pytest.mark.parametrize(
    ("message", "matched"),
    [
        ("he is not breathing", "not breathing"),
        ("No he's not breathing", "not breathing"),
        ("no i cant feel my legs", "cant feel my legs"),
        ("no the bleeding won't stop", "bleeding wont stop"),
        ("my mother won't wake up", "mother wont wake"),
    ],
)
def test_a_negation_that_is_part_of_the_symptom_is_not_cancelled(
    rules: SafetyRules, message: str, matched: str
) -> None:
    """'not breathing' is the symptom; a "no" before it is emphasis, not a denial."""
    flag = rules.check(message)
    assert flag is not None
    assert flag.matched == matched


@pytest.mark.parametrize(
    "message", ["my legs are not numb", "the site is not red and swollen", "my chest is not tight, just sore"]
)
def test_a_negation_inside_a_gap_cancels(rules: SafetyRules, message: str) -> None:
    """'legs (?:\\w+ ){0,2}numb' can do without the "not", so the "not" is the patient's denial."""
    assert rules.check(message) is None


def test_crisis_counts_even_when_asked_about(rules: SafetyRules) -> None:
    """A kind crisis reply to a false alarm does little harm; a missed one might."""
    assert rules.check("I'm worried I might kill myself") == RedFlag("crisis", "self_harm", "kill myself")
    assert rules.check("can rhizotomy make me suicidal?") == RedFlag("crisis", "self_harm", "suicidal")
    assert rules.check("I was suicidal last year") == RedFlag("crisis", "self_harm", "suicidal")


@pytest.mark.parametrize(
    "message",
    [
        "I'm not feeling suicidal, just frustrated with the pain",
        "I'm not suicidal, just tired of the pain",
        "I have never been suicidal",
        "I used to have suicidal thoughts years ago, is rhizotomy safe for people with depression?",
    ],
)
def test_a_clear_denial_or_a_past_question_is_not_a_crisis(rules: SafetyRules, message: str) -> None:
    """The crisis reply replaces the answer; after "I'm not suicidal" it would not hear the patient."""
    assert rules.check(message) is None


@pytest.mark.parametrize(
    "message",
    [
        "I'm not suicidal yet",
        "I'm not going to kill myself but I think about it",
        "I used to be suicidal years ago and lately the thoughts are back, is rhizotomy safe?",
        "I used to be suicidal years ago, is it safe? I still think about it",
    ],
)
def test_a_denial_that_is_not_clear_is_still_a_crisis(rules: SafetyRules, message: str) -> None:
    """Only a denial right before the words, or history with nothing going on now, is set aside."""
    flag = rules.check(message)
    assert flag is not None
    assert flag.name == "self_harm"


@pytest.mark.parametrize("name", [rule for _, rule in RED_FLAGS])
def test_reply_uses_the_clinics_numbers(rules: SafetyRules, name: str) -> None:
    flag = RedFlag("crisis" if name == "self_harm" else "emergency", name, "")
    reply = rules.reply(flag, CUSTOM)
    assert reply.kind == "emergency"
    assert reply.confidence == 1.0
    assert "000" in reply.text
    assert "{" not in reply.text
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", reply.text)) <= 4
    if name in URGENT_RULES:
        assert "02 5550 9876" in reply.text
        assert "emergency department" in reply.text
    if name == "self_harm":
        assert "Lifeline on 13 11 14" in reply.text
    else:
        assert "emergency department" in reply.text


@pytest.mark.parametrize("name", sorted({rule for _, rule in RED_FLAGS} - {*URGENT_RULES, "self_harm"}))
def test_life_threatening_rules_send_to_the_emergency_number_first(rules: SafetyRules, name: str) -> None:
    """Not breathing, collapse, seizures and the like must not send the patient to the clinic's line."""
    text = rules.reply(RedFlag("emergency", name, ""), CUSTOM).text
    assert "Call 000 now" in text
    assert "02 5550 9876" not in text


def test_only_the_clinic_level_rules_use_the_urgent_line(rules: SafetyRules) -> None:
    """A rule moved to the urgent reply by mistake would send a collapsed patient to the clinic's phone."""
    assert sorted(rule.name for rule in rules.rules if rule.reply == "urgent") == sorted(URGENT_RULES)


def test_overdose_reply_gives_the_emergency_number_then_the_crisis_line(rules: SafetyRules) -> None:
    """An overdose needs the emergency number whatever the reason; it may also have been meant."""
    text = rules.reply(RedFlag("emergency", "overdose", ""), CUSTOM).text
    assert 0 <= text.index("000") < text.index("Lifeline on 13 11 14")


def test_reply_starts_with_rule_specific_advice(rules: SafetyRules) -> None:
    reply = rules.reply(RedFlag("emergency", "fever", "fever"), CUSTOM)
    assert reply.text.startswith("Fever or chills after a procedure can be a sign of infection.")
    assert rules.reply(RedFlag("emergency", "stroke", ""), CUSTOM).text.startswith("A drooping face")


def test_crisis_reply_is_kind_and_plain(rules: SafetyRules) -> None:
    text = rules.reply(RedFlag("crisis", "self_harm", ""), CUSTOM).text
    assert "alone" in text
    assert not re.search(r"\b(?:must|should|patient|ideation|disorder)\b", text, re.IGNORECASE)


def test_reply_for_an_unknown_rule_is_an_error(rules: SafetyRules) -> None:
    with pytest.raises(ValueError, match="no safety rule named 'gout'"):
        rules.reply(RedFlag("emergency", "gout", ""), CUSTOM)


PERSONAL = (
    "Should I stop my blood thinner?",
    "can I skip my meds the morning of the procedure",
    "is it ok for me to take ibuprofen after",
    "do I need to stop aspirin before rhizotomy",
    "When should I restart warfarin?",
    "should i take my pain pills before I come in",
    "how long before the procedure do I stop eliquis",
)
GENERAL = (
    "What is a blood thinner?",
    "can I drive home after",
    "Do blood thinners affect the procedure?",
    "what medications are used during the procedure",
    "Should I bring someone with me?",
    "is it ok to shower after",
    "How long does the relief last?",
)


@pytest.mark.parametrize("message", PERSONAL)
def test_personal_medicine_decisions(rules: SafetyRules, message: str) -> None:
    assert rules.is_personal_decision(message)


@pytest.mark.parametrize("message", GENERAL)
def test_general_questions_are_not_personal_decisions(rules: SafetyRules, message: str) -> None:
    assert not rules.is_personal_decision(message)


def test_decision_caveat(rules: SafetyRules) -> None:
    caveat = rules.decision_caveat(CUSTOM)
    assert "doctor" in caveat
    assert "02 5550 1234" in caveat
    assert len(re.findall(r"[.!?](?:\s|$)", caveat)) == 1
    assert not re.search(r"\b(?:stop|start|skip) (?:taking|your)\b", caveat)


PATHOLOGICAL = (
    "no fever, " * 2000,
    "a " * 10_000,
    "x" * 20_000,
    "I can not " * 2000,
    # many matches that do not count, in one clause or many: each clause is searched once per cue
    "I had a fever last month " * 800,
    "my friend had a fever " * 900,
    "I used to be suicidal years ago, is it safe? " * 450,
    "# Risks\n" + "- paralysis\n" * 1800,
    "Fever: no. " * 1800,
    # the checks added for word order, carers and "gone now" clauses stay bounded per match
    "had chills then " * 1500 + ", " + "a " * 10_000,
    "he might get a fever " * 900,
    "is a fever normal " * 1100,
    "paralysis is that a risk " * 800,
    "my fever, all fine now. " * 800,
)
"""Long, repetitive messages that would expose backtracking; ``benchmarks/safety_figures.py`` times them."""


@pytest.mark.parametrize("message", PATHOLOGICAL, ids=lambda m: f"{m[:24]!r}x{len(m)}")
def test_long_repetitive_messages_are_checked(rules: SafetyRules, message: str) -> None:
    """Checked to the end without error; how long it takes is a benchmark figure, not a unit test."""
    assert rules.check(message) == rules.check(message)


BASE = """\
replies:
  emergency: "{advice} Call {emergency_number}."
  crisis: "{advice} Call {crisis_line}."
rules:
  - name: fever
    advice: Fever can mean infection.
    patterns:
      - 'fever'
context:
  clause_breaks: [but]
  negation: ['no']
  first_person: [i have]
  hypothetical: [if]
  current_time: [now]
  past_time: [ago]
  resolved: [gone]
  refers_back: [it]
  risk_question: [risk]
personal_decision:
  asking: [should i]
  medicine: [aspirin]
  caveat: Ask your doctor.
"""
"""The smallest valid file; each error test changes one line of it."""


def _write(tmp_path: Path, old: str, new: str) -> Path:
    assert old in BASE
    path = tmp_path / "safety.yaml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    return path


def test_minimal_file_works(tmp_path: Path) -> None:
    rules = SafetyRules.from_file(_write(tmp_path, "", ""))
    assert rules.check("I have a fever") == RedFlag("emergency", "fever", "fever")
    assert rules.check("no fever") is None
    assert rules.check("risk of fever") is None
    assert rules.reply(RedFlag("emergency", "fever", ""), CUSTOM).text == "Fever can mean infection. Call 000."
    # without the optional cues, form-style answers and other people's symptoms count like anything else
    assert rules.check("Fever: no") is not None
    assert rules.check("my friend had a fever") is not None


def test_optional_context_cues(tmp_path: Path) -> None:
    rules = SafetyRules.from_file(
        _write(
            tmp_path,
            "  risk_question: [risk]",
            "  risk_question: [risk]\n  answered_no: [nope]\n  someone_else: [friend]",
        )
    )
    assert rules.check("Fever: nope") is None
    assert rules.check("Fever: yes") is not None
    assert rules.check("my friend had a fever") is None
    assert rules.check("my friend had a fever and now I have one") is not None


def test_carer_and_risk_after_cues_are_optional(tmp_path: Path) -> None:
    """Both are optional: without them a carer is judged like any clause, and a risk word after is a report."""
    plain = SafetyRules.from_file(_write(tmp_path, "", ""))
    assert plain.check("risk he has a fever") is None
    assert plain.check("fever risk") is not None
    rules = SafetyRules.from_file(
        _write(
            tmp_path, "  risk_question: [risk]", "  risk_question: [risk]\n  other_person: [he]\n  risk_after: [odds]"
        )
    )
    assert rules.check("risk he has a fever") is not None
    assert rules.check("risk if he has a fever") is None
    assert rules.check("fever odds") is None
    assert rules.check("risk of fever") is None


def test_the_later_how_likely_cue_is_optional(tmp_path: Path) -> None:
    """Without ``risk_later`` a worry followed by "how likely is that?" reports, as in older files."""
    worry = "if she gets a fever. how likely is that"
    plain = SafetyRules.from_file(_write(tmp_path, "  risk_question: [risk]", "  risk_question: [risk]"))
    assert plain.check(worry) is not None
    rules = SafetyRules.from_file(
        _write(tmp_path, "  risk_question: [risk]", "  risk_question: [risk]\n  risk_later: [how likely is that]")
    )
    assert rules.check(worry) is None
    assert rules.check("she has a fever. how likely is that") is not None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    advice: Fever",
            "    severity: high\n    advice: Fever",
            r"safety\.yaml:6: unknown field 'severity' in rule 'fever'",
        ),
        ("    advice: Fever can mean infection.\n", "", r"safety\.yaml:5: rule 'fever' has no 'advice'"),
        (
            "      - 'fever'",
            "      - '(fever'",
            r"safety\.yaml:8: bad pattern '\(fever' in 'patterns' of rule 'fever': missing \)",
        ),
        (
            "      - 'fever'",
            "      - '[fever'",
            r"safety\.yaml:8: bad pattern '\[fever' in 'patterns' of rule 'fever': unterminated",
        ),
        ("    patterns:\n      - 'fever'", "    patterns: []", r"safety\.yaml:7: 'patterns' in rule 'fever' is empty"),
        ("  negation: ['no']", "  negation: []", r"safety\.yaml:11: 'negation' in context is empty"),
        ("  resolved: [gone]\n", "", r"safety\.yaml:10: context has no 'resolved'"),
        ("  medicine: [aspirin]", "  medicine: [aspirin, '']", r"safety\.yaml:21: every item of 'medicine'"),
        ("      - 'fever'", "      - 'don''t have'", r"safety\.yaml:8: pattern .* has an apostrophe"),
        ("      - 'fever'", "      - 'Fever'", r"safety\.yaml:8: pattern 'Fever' .* has capital letters"),
        ("      - 'fever'", "      - '(?:fever)?'", r"safety\.yaml:8: pattern .* matches empty text"),
        # patterns that would compile only together, and an empty match found only in a combination
        (
            "      - 'fever'",
            "      - 'fev('\n      - ')er'",
            r"safety\.yaml:8: bad pattern 'fev\(' in 'patterns' of rule 'fever': missing \)",
        ),
        (
            "      - 'fever'",
            "      - '(fever)'\n      - '\\1s'",
            r"safety\.yaml:9: bad pattern '\\\\1s' in 'patterns' of rule 'fever': invalid group reference",
        ),
        ("  negation: ['no']", "  negation: ['no', 'x?']", r"safety\.yaml:11: pattern 'x\?' in 'negation' of context"),
        (
            "{advice} Call {emergency_number}.",
            "{advice} Call {emergency_numbr}.",
            r"safety\.yaml:2: unknown placeholder \{emergency_numbr\} in 'emergency' of replies",
        ),
        (
            "Fever can mean infection.",
            "Fever can mean infection, call {urgent_line}.",
            r"safety\.yaml:6: unknown placeholder \{urgent_line\} in 'advice' of rule 'fever'",
        ),
        ("Ask your doctor.", "Ask {doctor}.", r"safety\.yaml:22: unknown placeholder \{doctor\} in 'caveat'"),
        ("Ask your doctor.", "Ask {}.", r"safety\.yaml:22: unknown placeholder \{\} in 'caveat'"),
        ("Call {crisis_line}.", "Call {crisis_line.", r"safety\.yaml:3: bad template 'crisis' of replies"),
        (
            "    advice: Fever",
            "    reply: urgent\n    advice: Fever",
            r"safety\.yaml:6: rule 'fever' uses reply 'urgent'",
        ),
        ("    advice: Fever", "    kind: urgent\n    advice: Fever", r"safety\.yaml:6: 'kind' in rule 'fever' must be"),
        (
            "    advice: Fever",
            "    any_mention: maybe\n    advice: Fever",
            r"safety\.yaml:6: 'any_mention' in rule 'fever' must",
        ),
        ("  - name: fever", "  - name: Fever Rule", r"safety\.yaml:5: rule name 'Fever Rule' must be lower-case"),
        (
            "context:",
            "  - name: fever\n    advice: Again.\n    patterns: [fever]\ncontext:",
            r"safety\.yaml:9: rule name 'fever' is used twice \(first at line 5\)",
        ),
        ("personal_decision:", "personal_decisions:", r"safety\.yaml:19: unknown field 'personal_decisions'"),
        (
            "rules:\n  - name: fever\n    advice: Fever can mean infection.\n    patterns:\n      - 'fever'\n",
            "rules: fever\n",
            r"safety\.yaml:4: 'rules' must be a list of rules",
        ),
        ("  clause_breaks: [but]", "  clause_breaks: [but", r"safety\.yaml:\d+: invalid YAML"),
    ],
)
def test_malformed_file(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        SafetyRules.from_file(_write(tmp_path, old, new))


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    """A bot must never silently run without red-flag checks."""
    with pytest.raises(KnowledgeBaseError, match=r"safety\.yaml: file not found"):
        SafetyRules.from_file(tmp_path / "safety.yaml")


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "safety.yaml"
    path.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"safety\.yaml:1: safety rules must be a mapping"):
        SafetyRules.from_file(path)
