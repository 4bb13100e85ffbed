"""The chat page (app.py) driven through Streamlit's AppTest: what a patient sees and can click.

The expectations are about behaviour the real engine guarantees (an answer with a source for a
covered question, an emergency for a red flag, a fallback with the clinic's phone number for an
uncovered one), and the page is compared with what the engine itself replies, so the tests do
not hard-code document wording.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from chatbot import Chatbot
from chatbot.bot import MAX_MESSAGE_CHARS
from chatbot.storage import TurnStore, utc_now

APP = ROOT / "app.py"
COVERED = "How long does the relief last after cervical rhizotomy?"
RED_FLAG = "I have a fever and pus at the needle site"
UNCOVERED = "How much does it cost?"
AMBIGUOUS = "is it safe"
MARKUP = ("<img src=x onerror=alert(1)>", "[link](http://evil)", "**bold**")

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a Markdown string displays, for strings the page escaped: escapes removed, hard breaks as newlines."""
    return _ESCAPED.sub(r"\1", markdown.replace("  \n", "\n")).replace("\u2060", "")  # word joiners are invisible


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test records turns in its own temporary data folder (SQLite), never in the user's."""
    path = tmp_path / "data"
    monkeypatch.setenv("CHATBOT_DATA_DIR", str(path))
    monkeypatch.delenv("CHATBOT_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHATBOT_RECORDING", raising=False)
    monkeypatch.setenv("CHATBOT_FEEDBACK_FILE", str(tmp_path / "no-old-feedback.jsonl"))
    return path


class PageTest(AppTest):
    """AppTest that shows the whole page after every run, as a browser does.

    After a message the page reruns only the fragments that draw the end of the conversation
    (``draw_slots`` in app.py); a browser keeps the rest of the page on the screen, but AppTest's
    element tree holds only what its last run drew. So after such a run one plain run (no widget
    touched: nothing is asked or recorded) redraws the whole page, and :attr:`fragment` keeps
    what the fragment run itself drew.
    """

    fragment: AppTest | None = None

    def _run(self, widget_state: WidgetStates | None = None, timeout: float | None = None) -> AppTest:
        self.fragment = None
        drawn = super()._run(widget_state, timeout)
        if drawn.chat_input:  # only a whole-page run draws the chat box
            return drawn
        self.fragment = copy.copy(drawn)
        return super()._run(None, timeout)


def open_page(*, embedded: bool = False) -> PageTest:
    """A new browser session on the page (the first run loads the bot, hence the generous timeout)."""
    at = PageTest(APP, default_timeout=60)  # what AppTest.from_file does, as this class
    if embedded:
        at.context["is_embedded"] = True
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(data_dir: Path) -> PageTest:
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


def stored(data_dir: Path) -> list[dict[str, object]]:
    """Every turn the page recorded, oldest first."""
    store = TurnStore.open(data_dir=data_dir)
    try:
        return store.turns()
    finally:
        store.dispose()


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


def test_the_same_question_about_other_procedures_is_offered_as_buttons(page: AppTest, bot: Chatbot) -> None:
    conversation = bot.conversation()
    first = conversation.ask(AMBIGUOUS)
    assert first.kind == "answer" and first.about and len(first.options) >= 1

    reply = send(page, AMBIGUOUS)
    assert texts(reply)[0] == first.text.strip()
    assert texts(reply)[0].startswith(f"About {first.about}")
    options = buttons(reply, "option-")
    assert [label for _, label in options] == [option.label for option in first.options]

    expected = conversation.ask(first.options[0].question)
    answer = click(page, options[0][0])
    assert texts(patient(page)[-1]) == [first.options[0].question]
    assert expected.kind == "answer" and expected.procedure == first.options[0].procedure
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


def test_a_question_that_takes_a_red_flag_as_present_starts_with_a_warning(page: AppTest, bot: Chatbot) -> None:
    question = "is it normal for the wound to have pus in it"
    expected = bot.conversation().ask(question)
    assert expected.kind != "emergency" and expected.safety_net

    reply = send(page, question)
    assert [shown(w.value) for w in reply.warning] == [expected.safety_net]
    assert bot.settings.urgent_phone in shown(reply.warning[0].value)
    numbers = " ".join(shown(m.value) for m in reply.markdown)
    assert f"**{bot.settings.urgent_phone}**" in numbers, numbers  # a tel: link to tap
    assert not reply.error


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


def test_a_message_redraws_the_end_of_the_conversation_not_the_whole_history(page: PageTest) -> None:
    """Capacity (issue 9): a message reruns only the fragment of the reply before it.

    That is the reply (its buttons gone: they are stale), the new message and the new reply;
    the header and older messages stay on the screen as they were. ``tests/test_server.py``
    checks over the WebSocket that this does not grow with the conversation.
    """
    questions = (COVERED, UNCOVERED, "hello", AMBIGUOUS, COVERED)
    for number, question in enumerate(questions, start=1):
        send(page, question)
        drawn = page.fragment
        assert drawn is not None, "a message redrew the whole page"
        assert [m.name for m in drawn.chat_message] == ["assistant", "user", "assistant"]
        assert texts(patient(drawn)[0]) == [question]
        assert texts(assistant(drawn)[1]) == texts(assistant(page)[-1])
        assert not buttons(assistant(drawn)[0], "suggest-") and not buttons(assistant(drawn)[0], "start-")
        assert "new-conversation" not in [b.key for b in drawn.button], "the header is not redrawn"
        assert len(patient(page)) == number, "the page still shows every message"


def test_two_sessions_never_see_each_others_messages(data_dir: Path) -> None:
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


def test_clinic_text_with_markup_is_escaped(faq_copy: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_clinic_logo_is_shown(faq_copy: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (faq_copy / "logo.png").write_bytes(PNG_1PX)
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(re.sub(r"(?m)^logo:.*$", "logo: logo.png", clinic.read_text()), encoding="utf-8")
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = open_page()
    assert len(at.get("image")) == 1
    send(at, COVERED)
    assert assistant(at)[-1].avatar not in ("", ":material/medical_services:")


def test_embedded_page_is_compact(data_dir: Path, bot: Chatbot) -> None:
    embedded, full = open_page(embedded=True), open_page()
    assert "Questions about your rhizotomy procedure" not in " ".join(h.value for h in embedded.html)
    assert "Questions about your rhizotomy procedure" in " ".join(h.value for h in full.html)
    reply = send(embedded, COVERED)
    assert any("Source:" in c.value for c in reply.caption)


# --- recording turns and ratings --------------------------------------------------------------


def test_every_turn_is_recorded_without_the_patients_words(page: AppTest, data_dir: Path, bot: Chatbot) -> None:
    expected = bot.conversation().ask(COVERED)
    before = utc_now()
    send(page, COVERED)
    send(page, RED_FLAG)
    answer, emergency = stored(data_dir)
    assert (answer["kind"], answer["pair_id"], answer["matched_question"], answer["procedure"]) == (
        "answer",
        expected.pair_id,
        expected.matched_question,
        expected.procedure,
    )
    assert answer["confidence"] == pytest.approx(expected.confidence)
    assert emergency["kind"] == "emergency"
    assert answer["conversation"] == emergency["conversation"] == page.session_state.conversation_id
    assert re.fullmatch(r"[0-9a-f]{32}", str(answer["conversation"]))
    assert answer["message"] is None and emergency["message"] is None, "messages are not stored by default"
    assert before <= answer["time"] <= utc_now()  # type: ignore[operator]


def test_a_new_conversation_gets_a_new_anonymous_id(page: AppTest, data_dir: Path) -> None:
    send(page, COVERED)
    click(page, "new-conversation")
    send(page, COVERED)
    first, second = stored(data_dir)
    assert first["conversation"] != second["conversation"]


def test_ratings_are_recorded_once_and_thanked(page: AppTest, data_dir: Path, bot: Chatbot) -> None:
    reply = send(page, COVERED)
    reply.feedback[0].set_value(1).run()
    assert not page.exception
    send(page, UNCOVERED).feedback[0].set_value(0).run()
    up, down = stored(data_dir)
    assert (up["rating"], up["kind"]) == ("up", "answer")
    assert (down["rating"], down["kind"], down["pair_id"]) == ("down", "fallback", None)
    assert page.session_state.messages[-3]["rated"]
    assert assistant(page)[-2].feedback[0].disabled, "each answer is rated once"
    assert "Thank you for your feedback." in [c.value for c in assistant(page)[-2].caption]
    assert not assistant(page)[-1].text_input, "no comment box unless the clinic stores patients' words"


def test_messages_and_comments_are_stored_scrubbed_when_the_clinic_allows(
    faq_copy: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic = faq_copy / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("store_patient_messages: false", "store_patient_messages: true"))
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = open_page()
    send(at, "I'm Jane Doe, DOB 02/03/1961. How much does it cost?").feedback[0].set_value(0).run()
    comment = assistant(at)[-1].text_input[0]
    comment.set_value("Call me on 555-010-2234").run()
    assert not at.exception
    (row,) = stored(data_dir)
    assert row["message"] == "I'm [NAME], DOB [DATE]. How much does it cost?"
    assert (row["rating"], row["comment"]) == ("down", "Call me on [PHONE]")
    assert "Comment received." in [c.value for c in assistant(at)[-1].caption]


def test_a_rating_that_cannot_be_saved_is_not_thanked(page: AppTest, data_dir: Path) -> None:
    reply = send(page, COVERED)
    store = TurnStore.open(data_dir=data_dir)
    with store.engine.begin() as db:
        db.exec_driver_sql("DROP TABLE turns")  # the database breaks after the answer was recorded
    store.dispose()
    reply.feedback[0].set_value(1).run()
    assert not page.exception
    captions = [c.value for c in assistant(page)[-1].caption]
    assert "Sorry, your rating could not be saved right now." in captions
    assert "Thank you for your feedback." not in captions
    assert not page.session_state.messages[-1]["rated"]
    assert send(page, UNCOVERED).text, "the chat goes on answering"


def test_chat_answers_when_the_database_is_down(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_DATABASE_URL", "postgresql+psycopg://chat@127.0.0.1:1/chat")
    at = open_page()
    reply = send(at, COVERED)
    assert any("Source:" in c.value for c in reply.caption)
    assert not reply.feedback, "nothing to rate when the turn could not be recorded"


def test_an_unwritable_data_folder_is_reported_at_start_up_and_the_chat_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CHATBOT_DATA_DIR", str(blocker))
    monkeypatch.delenv("CHATBOT_DATABASE_URL", raising=False)
    with caplog.at_level("ERROR", logger="chatbot.app"):
        at = open_page()
    assert (
        f"storage unavailable, turns and ratings are not recorded: data folder {blocker} is not writable" in caplog.text
    )
    reply = send(at, COVERED)
    assert any("Source:" in c.value for c in reply.caption) and not reply.feedback


def test_recording_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHATBOT_RECORDING", "off")
    monkeypatch.setenv("CHATBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    at = open_page()
    reply = send(at, COVERED)
    assert not reply.feedback
    assert not list(tmp_path.iterdir())


def test_the_old_feedback_file_is_imported_once(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text(
        json.dumps({"time": "2026-11-30T10:00:00+00:00", "rating": "up", "question": "I'm Jane", "kind": "answer"})
        + "\n"
    )
    monkeypatch.setenv("CHATBOT_FEEDBACK_FILE", str(old))
    open_page()
    (row,) = stored(data_dir)
    assert (row["rating"], row["message"]) == ("up", None)
    assert not old.exists() and (tmp_path / "old.jsonl.imported").exists()
