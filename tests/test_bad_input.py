"""Whatever a patient (or a broken client) sends gets a reply of a known kind, never an exception."""

from __future__ import annotations

import pytest

from chatbot import Chatbot, Reply
from chatbot.reply import KINDS

BAD_INPUTS = [
    "",
    "   \n\t  ",
    "x" * 20_000,
    "how long does relief last " * 800,
    "😀🙏💉",
    "pain 😭😭😭 after rhizotomy???",
    "\x00\x01\x02\x1b[31m",
    "\ud800\udfff broken surrogates \udc00",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "¿Cuánto tiempo dura el alivio después de la rizotomía?",
    "Wie lange hält die Schmerzlinderung nach der Rhizotomie an?",
    "颈椎神经根切断术后恢复需要多长时间",
    "Как долго длится облегчение после ризотомии?",
    "مرحبا كيف حالك",
    "?",
    "...",
    "1234567890",
    "'; DROP TABLE pairs; --",
    "{{7*7}} ${jndi:ldap://x}",
]


@pytest.mark.parametrize("message", BAD_INPUTS)
def test_bad_input_gets_a_known_kind(bot: Chatbot, message: str) -> None:
    reply = bot.ask(message)
    assert isinstance(reply, Reply)
    assert reply.kind in KINDS
    assert reply.text.strip()
    reply.text.encode("utf-8")
    conversation = bot.conversation()
    assert conversation.ask(message).kind in KINDS


@pytest.mark.parametrize("message", ["", "   ", "\n\n"])
def test_empty_message_asks_for_a_question(bot: Chatbot, message: str) -> None:
    reply = bot.ask(message)
    assert reply.kind == "fallback"
    assert "Please type a question" in reply.text
    assert reply.suggestions == bot.starter_questions


def test_too_long_message_is_refused_clearly(bot: Chatbot) -> None:
    reply = bot.ask("how long does relief last " * 100)
    assert reply.kind == "fallback"
    assert "too long" in reply.text


def test_red_flag_in_a_very_long_message_is_still_caught(bot: Chatbot) -> None:
    story = "I had my procedure last week and I have been resting. " * 60
    reply = bot.ask(story + "Now I have a high fever and chills. " + story)
    assert reply.kind == "emergency"


@pytest.mark.parametrize(
    "message", ["¿Cuánto tiempo dura el alivio después de la rizotomía?", "颈椎神经根切断术后恢复需要多长时间"]
)
def test_other_languages_are_told_english_only(bot: Chatbot, message: str) -> None:
    reply = bot.ask(message)
    assert reply.kind == "fallback"
    assert "English" in reply.text


def test_markup_does_not_change_the_answer(bot: Chatbot) -> None:
    plain = bot.ask("what is cervical neurotomy")
    marked = bot.ask("<b>what is</b> <i>cervical neurotomy</i>")
    assert marked.pair_id == plain.pair_id


def test_bytes_are_decoded(bot: Chatbot) -> None:
    assert bot.ask(b"what is cervical neurotomy").kind == "answer"
    assert bot.ask(b"\xff\xfe\x00garbage").kind in KINDS


def test_non_text_is_a_programming_error(bot: Chatbot) -> None:
    with pytest.raises(TypeError, match="a message must be text, got int"):
        bot.ask(42)  # type: ignore[arg-type]
