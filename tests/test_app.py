"""The chat page (app.py) driven through Streamlit's AppTest: what a patient sees and can click.

The expectations are about behaviour the real engine guarantees (an answer with a source for a
covered question, an emergency for a red flag, a fallback with the clinic's phone number for an
uncovered one), and the page is compared with what the engine itself replies, so the tests do
not hard-code document wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from chatbot import Chatbot
from chatbot.bot import MAX_MESSAGE_CHARS

APP = ROOT / "app.py"
COVERED = "How long does the relief last after cervical rhizotomy?"
RED_FLAG = "I have a fever and pus at the needle site"
UNCOVERED = "How much does it cost?"
AMBIGUOUS = "What are the risks?"
MARKUP = ("<img src=x onerror=alert(1)>", "[link](http://evil)", "**bold**")

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a Markdown string displays, for strings the page escaped: escapes removed, hard breaks as newlines."""
    return _ESCAPED.sub(r"\1", markdown.replace("  \n", "\n")).replace("\u2060", "")  # word joiners are invisible


@pytest.fixture
def feedback_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes feedback (if any) to its own temporary file, never to the repo's."""
    path = tmp_path / "ratings" / "feedback.jsonl"
    monkeypatch.setenv("CHATBOT_FEEDBACK_FILE", str(path))
    return path


def open_page(*, embedded: bool = False) -> AppTest:
    """A new browser session on the page (the first run loads the bot, hence the generous timeout)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if embedded:
        at.context["is_embedded"] = True
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(feedback_file: Path) -> AppTest:
    return open_page()


def send(at: AppTest, text: str) -> Block:
    """Type ``text`` into the chat box, press Enter, and return the assistant's reply block."""
    at.chat_input[0].set_value(text).run()
    assert not at.exception, at.exception
    return assistant(at)[-1]


def click(at: AppTest, key: str) -> Block:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return assistant(at)[-1]


def assistant(at: AppTest) -> list[Block]:
    return [m for m in at.chat_message if m.name == "assistant"]


def patient(at: AppTest) -> list[Block]:
    return [m for m in at.chat_message if m.name == "user"]


def texts(block: Block) -> list[str]:
    return [t.value for t in block.text]


def buttons(block: Block, prefix: str) -> list[tuple[str, str]]:
    """(key, displayed label) of the buttons in ``block`` whose key starts with ``prefix``."""
    return [(b.key, shown(b.label)) for b in block.button if b.key and b.key.startswith(prefix)]


def feedback_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def all_markdown(at: AppTest) -> Iterator[str]:
    """Every Markdown source on the page: bodies, captions, alerts, labels."""
    for element in (*at.markdown, *at.caption, *at.info, *at.error, *at.warning):
        yield element.value
    for widget in at.button:
        yield widget.label
    for expander in at.expander:
        yield expander.label


# --- welcome -------------------------------------------------------------------------------


def test_welcome_shows_notice_contact_and_starter_questions(page: AppTest, bot: Chatbot) -> None:
    welcome = assistant(page)
    assert len(welcome) == 1 and not patient(page)
    notice = shown(welcome[0].info[0].value)
    assert notice == bot.notice
    assert "not medical advice" in notice and bot.settings.emergency_number in notice
    starters = buttons(welcome[0], "start-")
    assert [label for _, label in starters] == list(bot.starter_questions)
    assert len(starters) >= 3
    header = " ".join(h.value for h in page.html)
    assert bot.settings.name in header and bot.settings.phone in header
    assert page.button(key="new-conversation").label == "New conversation"


def test_a_starter_question_is_answered(page: AppTest, bot: Chatbot) -> None:
    reply = click(page, "start-1")
    assert [texts(m) for m in patient(page)] == [[bot.starter_questions[0]]]
    expected = bot.conversation().ask(bot.starter_questions[0])
    assert expected.kind == "answer"
    assert texts(reply)[0] == expected.text.strip()
    assert not buttons(assistant(page)[0], "start-"), "starter buttons go once the conversation has begun"


# --- answers, sources, suggestions -------------------------------------------------------------


def test_answer_shows_source_passage_and_related_questions(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask(COVERED)
    assert expected.kind == "answer" and expected.sources

    reply = send(page, COVERED)
    assert texts(patient(page)[-1]) == [COVERED]
    assert texts(reply)[0] == expected.text.strip()
    captions = [shown(c.value) for c in reply.caption]
    assert any(c.endswith(f"Source: {expected.sources[0]}") for c in captions), captions
    expander = reply.expander[0]
    assert expected.sources[0].title in shown(expander.label)
    assert texts(expander)[0] == expected.passage.strip()
    assert [label for _, label in buttons(reply, "suggest-")] == list(expected.suggestions)
    assert len(reply.feedback) == 1
    assert not reply.error


def test_clicking_a_related_question_asks_it(page: AppTest, bot: Chatbot) -> None:
    first = send(page, COVERED)
    (key, question), *_ = buttons(first, "suggest-")
    conversation = bot.conversation()
    conversation.ask(COVERED)
    expected = conversation.ask(question)

    reply = click(page, key)
    assert texts(patient(page)[-1]) == [question]
    assert texts(reply)[0] == expected.text.strip()
    assert not buttons(assistant(page)[-2], "suggest-"), "only the latest reply offers buttons"
    if expected.kind == "answer":
        assert any("Source:" in c.value for c in reply.caption)


def test_clarification_options_are_buttons_and_clicking_one_answers_it(page: AppTest, bot: Chatbot) -> None:
    conversation = bot.conversation()
    clarify = conversation.ask(AMBIGUOUS)
    assert clarify.kind == "clarify" and len(clarify.suggestions) >= 2

    reply = send(page, AMBIGUOUS)
    options = buttons(reply, "suggest-")
    assert [label for _, label in options] == [f"{i}. {q}" for i, q in enumerate(clarify.suggestions, start=1)]
    shown_text = "\n".join(texts(reply))
    assert all(question not in shown_text for question in clarify.suggestions), "options are listed once, as buttons"
    assert not reply.feedback

    expected = conversation.ask(clarify.suggestions[1])
    answer = click(page, options[1][0])
    assert texts(patient(page)[-1]) == [clarify.suggestions[1]]
    assert expected.kind == "answer"
    assert texts(answer)[0] == expected.text.strip()
    assert any(c.value.endswith(shown_escape(str(expected.sources[0]))) for c in answer.caption)


def shown_escape(text: str) -> str:
    """``text`` escaped the way the page escapes Markdown (to compare with a raw caption)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


# --- other kinds of reply ----------------------------------------------------------------------


def test_emergency_is_an_error_box_with_the_number_prominent(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask(RED_FLAG)
    assert expected.kind == "emergency"

    reply = send(page, RED_FLAG)
    assert len(reply.error) == 1
    assert shown(reply.error[0].value) == expected.text.strip()
    numbers = " ".join(shown(m.value) for m in reply.markdown)
    called = [n for n in (bot.settings.emergency_number, bot.settings.urgent_phone) if n in expected.text]
    assert called and all(f"**{n}**" in numbers for n in called), numbers
    assert not reply.feedback and not reply.expander and not texts(reply)


def test_crisis_reply_puts_the_crisis_line_first(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask("I want to hurt myself")
    assert expected.kind == "emergency"
    reply = send(page, "I want to hurt myself")
    assert shown(reply.error[0].value) == expected.text.strip()
    lines = shown(reply.markdown[0].value).splitlines()
    assert "Crisis line" in lines[0], lines


def test_request_for_a_person_shows_how_to_reach_the_team(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask("Can I talk to a real person?")
    assert expected.kind == "handoff"
    reply = send(page, "Can I talk to a real person?")
    assert shown(reply.info[0].value) == expected.text.strip()
    assert bot.settings.phone in shown(reply.info[0].value)


def test_small_talk_is_a_plain_reply(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask("hello")
    assert expected.kind == "smalltalk"
    reply = send(page, "hello")
    assert texts(reply) == [expected.text.strip()]
    assert not reply.error and not reply.expander and not reply.feedback


def test_fallback_says_how_to_reach_the_care_team(page: AppTest, bot: Chatbot) -> None:
    expected = bot.conversation().ask(UNCOVERED)
    assert expected.kind == "fallback"
    reply = send(page, UNCOVERED)
    visible = " ".join(texts(reply) + [shown(c.value) for c in reply.caption])
    assert bot.settings.phone in visible
    assert not reply.expander and not reply.error
    assert len(reply.feedback) == 1


def test_too_long_message_gets_a_clear_message(page: AppTest) -> None:
    message = "Please tell me about the recovery. " * 40
    assert len(message) > MAX_MESSAGE_CHARS
    reply = send(page, message)
    text = " ".join(texts(reply))
    assert f"{len(message):,} characters" in text and f"{MAX_MESSAGE_CHARS:,} characters" in text
    assert len(texts(patient(page)[-1])[0]) <= MAX_MESSAGE_CHARS + 1
    assert not reply.feedback


def test_too_long_message_with_a_red_flag_is_still_an_emergency(page: AppTest) -> None:
    reply = send(page, "I can't feel my legs since this morning. " + "Some more about my day. " * 60)
    assert len(reply.error) == 1


# --- conversation and session handling ----------------------------------------------------------


def test_new_conversation_starts_over(page: AppTest, bot: Chatbot) -> None:
    send(page, COVERED)
    old = page.session_state.conversation
    page.button(key="new-conversation").click().run()
    assert not page.exception
    assert not patient(page) and len(assistant(page)) == 1
    assert buttons(assistant(page)[0], "start-"), "the starter questions are back"
    assert page.session_state.conversation is not old
    reply = send(page, UNCOVERED)
    assert len(patient(page)) == 1 and reply.feedback


def test_two_sessions_never_see_each_others_messages(feedback_file: Path) -> None:
    alice, bob = open_page(), open_page()
    send(alice, COVERED)
    bob.run()
    assert not patient(bob), "a new session starts empty"
    send(bob, UNCOVERED)
    alice.run()
    assert [texts(m) for m in patient(alice)] == [[COVERED]]
    assert [texts(m) for m in patient(bob)] == [[UNCOVERED]]
    assert alice.session_state.conversation is not bob.session_state.conversation


@pytest.mark.parametrize("payload", [*MARKUP, " ".join(MARKUP) + " :red[x] $x$ www.evil.example"])
def test_patient_markup_is_shown_as_typed(page: AppTest, payload: str) -> None:
    send(page, payload)
    message = patient(page)[-1]
    assert texts(message) == [payload]
    assert not message.markdown, "patient text is never Markdown"
    for source in all_markdown(page):
        assert not re.search(r"(?<!\\)(<img|\[link\]|\*\*bold)", source), source


def test_clinic_text_with_markup_is_escaped(
    faq_copy: Path, feedback_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clinic settings and engine text reach Markdown-only places (alerts, labels): they are escaped too."""
    name = "Dr. *Smith* & <b>Co</b> [x](http://evil)"
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(re.sub(r"(?m)^name:.*$", f"name: {json.dumps(name)}", clinic.read_text()), encoding="utf-8")
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = open_page()
    bot = Chatbot.load(faq_copy)
    assert bot.settings.name == name
    header = " ".join(h.value for h in at.html)
    assert "&lt;b&gt;Co&lt;/b&gt;" in header and "<b>" not in header
    notice = assistant(at)[0].info[0].value
    assert shown(notice) == bot.notice
    assert not re.search(r"(?<!\\)[*<\[]", notice), notice
    reply = send(at, UNCOVERED)
    assert name in " ".join(texts(reply) + [shown(c.value) for c in reply.caption])


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7d1b3e10000000049454e44ae426082"
)


def test_clinic_logo_is_shown(faq_copy: Path, feedback_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (faq_copy / "logo.png").write_bytes(PNG_1PX)
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(re.sub(r"(?m)^logo:.*$", "logo: logo.png", clinic.read_text()), encoding="utf-8")
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = open_page()
    assert len(at.get("image")) == 1
    send(at, COVERED)
    assert assistant(at)[-1].avatar not in ("", ":material/medical_services:")


def test_embedded_page_is_compact(feedback_file: Path, bot: Chatbot) -> None:
    embedded, full = open_page(embedded=True), open_page()
    assert "Questions about your rhizotomy procedure" not in " ".join(h.value for h in embedded.html)
    assert "Questions about your rhizotomy procedure" in " ".join(h.value for h in full.html)
    reply = send(embedded, COVERED)
    assert any("Source:" in c.value for c in reply.caption)


# --- feedback ----------------------------------------------------------------------------------


def test_feedback_is_written_anonymously(page: AppTest, feedback_file: Path, bot: Chatbot) -> None:
    expected = bot.conversation().ask(COVERED)
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    reply = send(page, COVERED)
    reply.feedback[0].set_value(1).run()
    assert not page.exception
    send(page, UNCOVERED).feedback[0].set_value(0).run()

    up, down = feedback_lines(feedback_file)
    assert set(up) == {"time", "rating", "question", "pair_id", "matched_question", "kind", "confidence"}
    assert (up["rating"], up["question"], up["pair_id"], up["matched_question"]) == (
        "up",
        COVERED,
        expected.pair_id,
        expected.matched_question,
    )
    assert (down["rating"], down["question"], down["pair_id"], down["kind"]) == ("down", UNCOVERED, None, "fallback")
    stamp = datetime.fromisoformat(str(up["time"]))
    assert stamp.utcoffset() == timedelta(0) and before <= stamp <= datetime.now(timezone.utc)
    assert page.session_state.messages[-3]["rated"]
    assert assistant(page)[-2].feedback[0].disabled, "each answer is rated once"


def test_feedback_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHATBOT_FEEDBACK_FILE", "off")
    monkeypatch.chdir(tmp_path)
    at = open_page()
    reply = send(at, COVERED)
    assert not reply.feedback
    assert not list(tmp_path.iterdir())
