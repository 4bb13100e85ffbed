"""Multi-turn behaviour: follow-ups keep the procedure, clarifications accept a choice, the notice comes first."""

from __future__ import annotations

import dataclasses

import pytest

from chatbot import Chatbot
from chatbot.answerer import OFFER_FLOOR, UNSURE


@pytest.fixture(scope="module")
def lenient(bot: Chatbot) -> Chatbot:
    """The test bot with a low answer threshold, for the tests about the conversation's steps
    (follow-ups, choices, switching procedure) rather than the calibrated threshold, which is
    measured on the question bank (benchmarks/answer_quality.py)."""
    return bot.with_model(bot.model, threshold=0.2)


@pytest.fixture(scope="module")
def clarifying(lenient: Chatbot) -> Chatbot:
    """A clarify margin so wide that every question fitting several procedures asks which one."""
    return lenient.with_model(lenient.model, threshold=0.2, clarify_margin=1.0)


FOLLOW_UPS = [
    # (turns, facts the last answer must contain, procedure it must be about)
    (
        ["Tell me about cervical rhizotomy", "how long do the effects last?"],
        ("6 months to 3 years",),
        "cervical rhizotomy",
    ),
    (
        ["what is cervical neurotomy", "what about recovery?"],
        # either cervical document's recovery passage, or the third one's return to normal activities
        ("a few days to a week|varies based on individual health|a period of rest and gradual return",),
        "cervical rhizotomy",
    ),
    (
        ["what is cervical neurotomy", "thanks!", "and the recovery?"],
        # either cervical document's recovery passage, or the third one's return to normal activities
        ("a few days to a week|varies based on individual health|a period of rest and gradual return",),
        "cervical rhizotomy",
    ),
    (["what is percutaneous rhizotomy", "how do I prepare?"], ("evaluation",), "percutaneous rhizotomy"),
    (["what is percutaneous rhizotomy", "can I drive home after?"], ("drive you home",), "percutaneous rhizotomy"),
    (["what is sdr", "is it safe"], ("paralysis",), "selective dorsal rhizotomy"),
    (["what is sdr", "how much does it cost?", "is it safe"], ("paralysis",), "selective dorsal rhizotomy"),
    (
        ["what is cervical neurotomy", "what are the risks of percutaneous rhizotomy?", "how do I prepare?"],
        ("evaluation",),
        "percutaneous rhizotomy",
    ),
    (
        ["what is the rhizotomy neck procedure", "hello", "will I need physio?"],
        ("Physical therapy",),
        "cervical rhizotomy",
    ),
]


@pytest.mark.parametrize(("turns", "facts", "procedure"), FOLLOW_UPS)
def test_follow_ups_keep_the_procedure(
    lenient: Chatbot, turns: list[str], facts: tuple[str, ...], procedure: str
) -> None:
    conversation = lenient.conversation()
    for message in turns:
        reply = conversation.ask(message)
    assert reply.kind == "answer", (turns, reply.text)
    assert reply.procedure == procedure
    for fact in facts:
        assert any(option.lower() in reply.text.lower() for option in fact.split("|")), (fact, reply.text)


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (["Tell me about cervical rhizotomy", "how long do the effects last?"], "6 months to 3 years"),
        (["what is percutaneous rhizotomy", "can I drive home after?"], "drive you home"),
        (["what is cervical neurotomy", "how much does it cost?"], None),
        (["what is sdr", "what about a spinal cord stimulator?"], None),
    ],
)
def test_a_follow_up_is_weighed_as_naming_the_procedure_under_discussion(
    bot: Chatbot, turns: list[str], expected: str | None
) -> None:
    """At the shipped threshold: the procedure under discussion counts as named, so a follow-up
    is as sure as the same question with the name in it, and an uncovered one is still declined."""
    conversation = bot.conversation(notice=False)
    for message in turns:
        reply = conversation.ask(message)
    if expected is None:
        assert reply.kind == "fallback", reply.text
    else:
        assert reply.kind == "answer" and expected.lower() in reply.text.lower(), reply.text
        assert reply.confidence >= bot.threshold


@pytest.mark.parametrize(
    ("switch", "procedure"),
    [
        ("what about percutaneous?", "percutaneous rhizotomy"),
        ("and for SDR", "selective dorsal rhizotomy"),
        ("how about cervical rhizotomy", "cervical rhizotomy"),
    ],
)
def test_naming_another_procedure_keeps_the_topic(lenient: Chatbot, switch: str, procedure: str) -> None:
    conversation = lenient.conversation()
    assert conversation.ask("What is recovery like after cervical neurotomy?").topic == "recovery"
    reply = conversation.ask(switch)
    assert (reply.kind, reply.procedure, reply.topic) == ("answer", procedure, "recovery")


@pytest.mark.parametrize("question", ["what is percutaneous rhizotomy", "tell me about percutaneous rhizotomy"])
def test_asking_what_a_procedure_is_does_not_keep_the_topic(lenient: Chatbot, question: str) -> None:
    conversation = lenient.conversation()
    conversation.ask("What is recovery like after cervical neurotomy?")
    reply = conversation.ask(question)
    assert (reply.procedure, reply.topic) == ("percutaneous rhizotomy", "what-is")


def test_a_pending_clarification_does_not_swallow_a_new_question(clarifying: Chatbot) -> None:
    conversation = clarifying.conversation()
    assert conversation.ask("is it safe").kind == "clarify"
    reply = conversation.ask("what is percutaneous rhizotomy")
    assert reply.topic == "what-is"


def test_same_question_without_context_is_answered_naming_the_procedure(bot: Chatbot) -> None:
    reply = bot.conversation().ask("is it safe")
    assert reply.kind == "answer" and reply.about == reply.procedure and reply.options


def test_clarification_only_when_procedures_are_equally_likely(bot: Chatbot, clarifying: Chatbot) -> None:
    """Both sides of the clarify margin: the default answers first, a wide margin asks which one."""
    assert bot.ask("is it safe").kind == "answer"
    reply = clarifying.ask("is it safe")
    assert reply.kind == "clarify" and len(reply.options) >= 2
    assert reply.text == "Your question could be about more than one procedure. Which one do you mean?"
    assert [o.question for o in reply.options] == list(reply.suggestions)


@pytest.mark.parametrize(
    ("choice", "index"),
    [
        ("2", 1),
        ("#1", 0),
        ("option 3", 2),
        ("the first one", 0),
        ("second", 1),
        ("the last one", -1),
        ("3rd please", 2),
    ],
)
def test_clarification_choice_by_number_or_ordinal(clarifying: Chatbot, choice: str, index: int) -> None:
    conversation = clarifying.conversation()
    question = conversation.ask("is it safe")
    assert question.kind == "clarify"
    picked = question.suggestions[index]
    reply = conversation.ask(choice)
    assert reply.kind == "answer"
    assert reply.matched_question == picked


@pytest.mark.parametrize(
    ("choice", "procedure"),
    [
        ("selective dorsal", "selective dorsal rhizotomy"),
        ("the percutaneous one", "percutaneous rhizotomy"),
        ("neck", "cervical rhizotomy"),
        ("sdr", "selective dorsal rhizotomy"),
    ],
)
def test_clarification_choice_by_words(clarifying: Chatbot, choice: str, procedure: str) -> None:
    conversation = clarifying.conversation()
    assert conversation.ask("is it safe").kind == "clarify"
    reply = conversation.ask(choice)
    assert reply.kind == "answer", reply.text
    assert reply.procedure == procedure


def test_clarification_option_text_answers_it(clarifying: Chatbot) -> None:
    conversation = clarifying.conversation()
    question = conversation.ask("recovery")
    assert question.kind == "clarify"
    reply = conversation.ask(question.suggestions[1])
    assert reply.kind == "answer"
    assert reply.matched_question == question.suggestions[1]


def test_number_out_of_range_is_not_a_choice(clarifying: Chatbot) -> None:
    conversation = clarifying.conversation()
    assert conversation.ask("is it safe").kind == "clarify"
    assert conversation.ask("9").kind != "answer"


def test_a_new_question_replaces_a_pending_clarification(clarifying: Chatbot) -> None:
    conversation = clarifying.conversation()
    assert conversation.ask("is it safe").kind == "clarify"
    reply = conversation.ask("what is cervical neurotomy")
    assert reply.kind == "answer"
    assert "radiofrequency ablation" in reply.text
    assert conversation.ask("2").kind != "answer"


def test_notice_on_the_first_reply_only(bot: Chatbot) -> None:
    conversation = bot.conversation()
    first = conversation.ask("hello")
    second = conversation.ask("what is cervical neurotomy")
    assert "not medical advice" in first.notice
    assert bot.settings.emergency_number in first.notice
    assert second.notice == ""
    assert bot.ask("what is cervical neurotomy").notice == ""


def test_conversations_do_not_share_state(bot: Chatbot) -> None:
    one, two = bot.conversation(), bot.conversation()
    one.ask("what is sdr")
    assert one.procedure == "selective dorsal rhizotomy"
    assert two.procedure is None
    assert two.ask("is it safe").about


@pytest.mark.parametrize(
    "question",
    [
        "Should I stop my blood thinner before percutaneous rhizotomy?",
        "can I stop taking warfarin before the procedure?",
    ],
)
def test_personal_decisions_get_the_documents_words_and_see_your_doctor(bot: Chatbot, question: str) -> None:
    reply = bot.ask(question)
    assert reply.kind == "answer", reply.text
    assert "blood thinners" in reply.passage
    preamble, passage, caveat = reply.text.partition(reply.passage)
    assert passage and preamble == (f"About {reply.about}:\n\n" if reply.about else "")
    assert "check with your doctor" in caveat
    assert bot.settings.phone in caveat
    assert not any(
        order in caveat.lower() for order in ("you should stop", "stop taking", "you should start", "keep taking")
    )


def test_ordinary_questions_get_no_caveat(bot: Chatbot) -> None:
    reply = bot.ask("what are the risks of percutaneous rhizotomy")
    assert reply.text == reply.passage


@pytest.mark.parametrize(
    ("question", "procedure", "suggested"),
    [
        (
            "Can I drive home after selective dorsal rhizotomy?",
            "selective dorsal rhizotomy",
            "Can I drive home after percutaneous rhizotomy?",
        ),
        (
            "Do I need to stop my blood thinners before sdr?",
            "selective dorsal rhizotomy",
            "Do I need to stop my medicines before percutaneous rhizotomy?",
        ),
    ],
)
def test_a_procedure_whose_documents_are_silent_gets_an_honest_fallback(
    bot: Chatbot, question: str, procedure: str, suggested: str
) -> None:
    reply = bot.ask(question)
    assert reply.kind == "fallback", reply.text
    assert f"documents about {procedure} don't cover that question" in reply.text
    assert suggested in reply.suggestions


def test_context_is_not_silently_switched_to_another_procedure(bot: Chatbot) -> None:
    conversation = bot.conversation()
    conversation.ask("what is sdr")
    reply = conversation.ask("when can I drive?")
    assert reply.kind == "fallback"
    assert conversation.procedure == "selective dorsal rhizotomy"
    conversation.ask("what about recovery?")
    assert conversation.procedure == "selective dorsal rhizotomy"


@pytest.mark.xfail(
    strict=True,
    reason="known miss since the model trained on the sixth to eighth batches: the SDR patient's driving "
    "question, which SDR's documents do not answer, is declined with no other procedure's passage offered",
)
def test_another_procedures_passage_is_offered_when_the_focus_one_is_silent(bot: Chatbot) -> None:
    conversation = bot.conversation()
    conversation.ask("what is sdr")
    reply = conversation.ask("when can I drive?")
    assert "Can I drive home after percutaneous rhizotomy?" in reply.suggestions


@pytest.mark.xfail(
    strict=True,
    reason="known miss since the unanswered-question features: the neck procedure's duration passage answers "
    "at 0.83 (above the threshold) although the patient now asks about the back",
)
def test_the_other_procedures_offered_are_found_from_the_patients_own_words(bot: Chatbot) -> None:
    """The focus procedure's name is added to a follow-up to answer it, not to look for other procedures' passages.

    "back" says the neck procedure under discussion is not the one asked about (``region_mismatch``):
    before the body-part features, the focus procedure's duration passage answered at 0.91. With
    the name added, the search for offers leaned towards the focus procedure's own passages
    (which are then left out) and missed the longevity passage the patient is asking about.
    """
    conversation = bot.conversation()
    conversation.ask("how long does cervical rhizotomy last")
    reply = conversation.ask("how long does the back nerve burn relief last")
    assert reply.kind == "fallback"
    assert conversation.procedure == "cervical rhizotomy"
    assert "What should I know about success rates and longevity of results (percutaneous rhizotomy)?" in (
        reply.suggestions
    )


@pytest.mark.parametrize(
    ("message", "offered"),
    [("does it work?", "percutaneous-rhizotomy/success")],
)
def test_a_declined_question_offers_its_most_probable_passages(bot: Chatbot, message: str, offered: str) -> None:
    """A patient's question that is declined, but whose right passage is probable enough (below
    the threshold, at or above ``OFFER_FLOOR``) to be one tap away. Asked of a clinic that set
    ``answer_threshold: 0.9``: at the shipped threshold (0.66) "does it work?" is answered. (The
    earlier rows, from the batches the model is now trained on, are answered; "my back is killing
    me would this help", the row before this one, no longer offers the benefits passage since the
    model trained on the sixth to eighth batches.)"""
    bot = bot.with_model(bot.model, threshold=0.9)
    reply = bot.ask(message)
    assert reply.kind == "fallback"
    assert "I can answer related questions, such as the ones below." in reply.text
    pair = bot.pair(offered)
    assert pair is not None and pair.question in reply.suggestions
    decision = bot.answerer_.decide(message)
    probability = {c.pair.id: c.probability for c in decision.candidates}.get(offered)
    assert probability is not None and OFFER_FLOOR <= probability < bot.threshold


def test_only_candidates_at_the_floor_are_offered(bot: Chatbot) -> None:
    candidates = bot.answerer_.decide("can i eat b4 or do i have to starve").candidates[:3]
    at = [dataclasses.replace(c, probability=OFFER_FLOOR) for c in candidates]
    below = [dataclasses.replace(c, probability=OFFER_FLOOR - 0.001) for c in candidates]
    assert bot.answerer_.offers(at) == tuple(dict.fromkeys(c.pair.question for c in candidates))
    assert bot.answerer_.offers([*below[:1], *at[1:]]) == tuple(dict.fromkeys(c.pair.question for c in at[1:]))
    assert bot.answerer_.offers(below) == ()


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(message, marks=pytest.mark.xfail(strict=True, reason="known ranking miss: the evaluation passage"))
        for message in (
            "my doctor said i need a cervical rhizotomy. what is it?",
            "im really scared, my doctor said i need a cervical rhizotomy. what is it exactly?",
        )
    ],
)
def test_a_story_before_the_question_is_read_past(lenient: Chatbot, message: str) -> None:
    reply = lenient.ask(message)
    assert (reply.kind, reply.pair_id) == ("answer", "cervical-rhizotomy-duration/what-is")


def test_both_cervical_rhizotomy_documents_answer_a_follow_up(lenient: Chatbot) -> None:
    """The duration and the risks documents describe one operation (named so in faq/curated.yaml)."""
    conversation = lenient.conversation()
    assert conversation.ask("Tell me about cervical rhizotomy").pair_id == "cervical-rhizotomy-duration/what-is"
    reply = conversation.ask("is it safe")
    assert (reply.kind, reply.pair_id) == ("answer", "rhizotomy-neck-risks-recovery/risks")


def test_a_procedure_named_in_a_statement_becomes_the_subject(lenient: Chatbot) -> None:
    conversation = lenient.conversation()
    opening = "hello, my daughter is 6 and the neurosurgeon mentioned selective dorsal rhizotomy"
    first = conversation.ask(opening)
    assert first.kind == "fallback" or first.procedure == "selective dorsal rhizotomy", first.pair_id
    reply = conversation.ask("what is it?")
    assert (reply.kind, reply.procedure) == ("answer", "selective dorsal rhizotomy")


@pytest.mark.parametrize(
    ("turns", "pair_id"),
    [
        (["what is sdr", "will she need physio after"], "selective-dorsal-rhizotomy/recovery"),
        (["what is sdr", "is it safe?"], "selective-dorsal-rhizotomy/risks"),
    ],
)
def test_short_follow_ups_in_lay_words(lenient: Chatbot, turns: list[str], pair_id: str) -> None:
    conversation = lenient.conversation()
    for message in turns:
        reply = conversation.ask(message)
    assert reply.pair_id == pair_id


def test_a_word_known_only_inside_a_lay_phrase_is_not_known_alone(bot: Chatbot) -> None:
    assert bot.ask("can I sleep on my back after").kind == "fallback"
    assert "anesthesia" in bot.index_.query("will I be put to sleep").expanded


def test_script_content_is_dropped_with_its_tags(bot: Chatbot) -> None:
    assert bot.ask("<script>alert(1)</script> what is a rhizotomy").kind == "answer"


def test_other_languages_still_hear_the_emergency_number(bot: Chatbot) -> None:
    reply = bot.ask("Wie lange hält die Schmerzlinderung nach der Operation an?")
    assert "English" in reply.text
    assert f"call {bot.settings.emergency_number}" in reply.text


def test_an_uncovered_question_is_not_pinned_on_the_procedure_under_discussion(bot: Chatbot) -> None:
    conversation = bot.conversation()
    conversation.ask("how long does cervical rhizotomy last")
    reply = conversation.ask("how much does it cost?")
    assert reply.kind == "fallback"
    assert "the clinic's documents don't cover that question" in reply.text
    named = bot.ask("how much does sdr cost?")
    assert "the clinic's documents about selective dorsal rhizotomy don't cover that question" in named.text


NOT_COVERED = "the clinic's documents don't cover that question"
NOT_SURE = "I couldn't find a passage in the clinic's documents that I'm sure answers that"


@pytest.mark.parametrize(
    ("question", "threshold", "said"),
    [
        ("how long until i can play sport again", 0.9, NOT_SURE),  # more likely than not a passage answers it
        ("how long until i can exercise", 0.9, NOT_SURE),  # both answered at the shipped threshold
        ("how long does the knee one last", None, NOT_COVERED),
        ("how long does a facet injection last", None, NOT_COVERED),  # less likely than not
        ("how much does it cost", None, NOT_COVERED),
        ("what are the risks of a spinal cord stimulator", None, NOT_COVERED),
    ],
)
def test_a_declined_question_is_said_to_be_unsure_or_not_covered_by_its_best_passages_probability(
    bot: Chatbot, question: str, threshold: float | None, said: str
) -> None:
    """Not covered is said only when the best passage is less likely right than not: for a
    question declined at 0.5 or more, most often the documents do answer it (the right passage
    among the offers), and saying they do not would be false."""
    asking = bot if threshold is None else bot.with_model(bot.model, threshold=threshold)
    decision = asking.answerer_.decide(question)
    reply = asking.ask(question)
    assert reply.kind == "fallback" and said in reply.text and "so I can't answer it reliably" in reply.text
    assert decision.unsure == (said == NOT_SURE) == (UNSURE <= decision.confidence < asking.threshold)
    assert reply.suggestions or said == NOT_COVERED
