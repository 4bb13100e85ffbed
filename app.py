"""The patient chat page: ``streamlit run app.py``.

This file is UI only. Every answer, clarification, emergency reply and refusal comes from the
engine in ``chatbot/``; the page decides nothing medical. It follows Streamlit's llm-examples: a
flat script that sets up state, draws the history and reads the input. Changes to the
conversation happen in widget callbacks, which Streamlit runs before the script, so every run
draws one consistent page.

Three rules shape the code below:

* One ``Chatbot`` per server process (``chatbot.serving``, not ``st.cache_resource``, which any
  client can clear): it is immutable and thread-safe, and loading it takes about a second. Each
  browser session keeps its own ``Conversation`` and history in ``st.session_state``, so one
  patient never sees another's messages.
* Nothing a patient types, and nothing the engine returns, is rendered as Markdown or HTML:
  message text goes through ``st.text`` (:func:`show_text`), and the few strings that must sit in
  Markdown (alert boxes, captions, labels) through :func:`plain`, which escapes every Markdown
  character. ``<img onerror=...>``, ``[link](http://evil)`` and ``**bold**`` show as typed.
* Feedback is anonymous: the question, the matched FAQ pair, the rating and the time; no
  session id, no IP address, nothing else about the patient.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypedDict

import streamlit as st

from chatbot import Chatbot, ClinicSettings, KnowledgeBaseError, Reply
from chatbot.bot import MAX_MESSAGE_CHARS
from chatbot.serving import current_bot, knowledge_base_dir

ROOT = Path(__file__).resolve().parent
FEEDBACK_ENV = "CHATBOT_FEEDBACK_FILE"
DEFAULT_FEEDBACK_FILE = ROOT / "feedback.jsonl"
USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = ":material/medical_services:"
FAVICON = str(ROOT / "assets" / "favicon.png")
"""A local file: a ``:material/…:`` page icon makes every patient's browser fetch it from Google's servers."""
FEEDBACK_KINDS = frozenset({"answer", "fallback"})
"""Replies a patient can rate: answers, and fallbacks (a thumbs-down there shows what the documents miss)."""

log = logging.getLogger("chatbot.app")


class Message(TypedDict):
    """One entry of a session's history; plain data, so it survives reruns unchanged."""

    id: int
    role: str  # "user" or "assistant"
    text: str  # what the patient typed (user) or the reply text (assistant)
    question: str  # for an assistant message: the patient message it answers
    reply: Reply | None
    rateable: bool  # shows thumbs up/down (answers and fallbacks, not the "too long" notice)
    rated: bool


# --------------------------------------------------------------------------------------------
# Rendering helpers: no string is ever read as markup.
# --------------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
"""Every ASCII punctuation character: CommonMark lets any of them be backslash-escaped, and
escaping all of them also defuses Streamlit's extensions (``:red[...]``, ``:emoji:``, ``$math$``)."""


def show_text(text: str) -> None:
    """Patient or engine text, shown as typed: ``st.text`` parses neither Markdown nor HTML, not even autolinks."""
    if text.strip():
        st.text(text.strip())


def plain(text: str) -> str:
    """``text`` as Markdown source that displays exactly these characters, line breaks included.

    For the places that only take Markdown (alert boxes, captions, button and expander labels),
    and only for clinic- or engine-written text; bare URLs and e-mail addresses are defused too
    (:func:`_escape`). Patient text still always goes through :func:`show_text`.
    """
    lines = (_escape(line.strip()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "  \n".join(line for line in lines if line)


_AUTOLINK = re.compile(r"(?i)(?<![a-z0-9])(www)(\.)|(:)(//)|([a-z0-9._+-])(@)")
"""What GitHub-flavoured Markdown (Streamlit's) turns into a link even when every character is
escaped: ``www.``, ``scheme://`` and ``name@domain``. A word joiner (U+2060, invisible, not a
space) between the two halves stops it, so a document title like "www.evil.example" stays text."""
WORD_JOINER = "\u2060"


def _escape(line: str) -> str:
    """``line`` as Markdown that shows exactly these characters and contains no link."""
    defused = _AUTOLINK.sub(lambda m: WORD_JOINER.join(part for part in m.groups() if part is not None), line)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", defused)


def _digits(phone: str) -> str:
    """A dialable form of a phone number for a ``tel:`` link ("(555) 010-2000" -> "5550102000")."""
    return re.sub(r"[^0-9+]", "", phone)


def _phone_line(label: str, number: str) -> str:
    """A prominent "label: number" line; the number is a tap-to-call link when it is dialable."""
    digits = _digits(number)
    shown = f"**{_escape(number)}**"
    if len(digits) >= 3:
        shown = f"[{shown}](tel:{digits})"
    return f":material/call: {_escape(label)}: {shown}"


# --------------------------------------------------------------------------------------------
# Server-wide resources: loaded once per process, shared read-only by every session.
# --------------------------------------------------------------------------------------------


def load_bot() -> Chatbot:
    """The server's bot (:mod:`chatbot.serving`): loaded once per process, outside Streamlit's caches.

    Any browser can ask Streamlit to clear its caches; the knowledge base is not held there, so no
    client can make the server reload it. An edited ``pairs.yaml`` on disk is picked up here.
    """
    return current_bot()


@st.cache_resource
def _feedback_lock() -> threading.Lock:
    """One lock per process so two sessions rating at once never interleave lines in the file."""
    return threading.Lock()


def logo_source(settings: ClinicSettings) -> str | None:
    """The clinic logo as a URL or an existing file (absolute, or relative to the knowledge base or the repo)."""
    logo = settings.logo.strip()
    if not logo:
        return None
    if re.match(r"https?://", logo):
        return logo
    for candidate in (Path(logo), knowledge_base_dir() / logo, ROOT / logo):
        if candidate.is_file():
            return str(candidate)
    log.warning("clinic logo %r not found; showing none", logo)
    return None


def _safe_color(value: str, default: str = "#1f6f8b") -> str:
    """The clinic colour if it is a plain hex colour; it goes into CSS, so nothing else is accepted."""
    return value if re.fullmatch(r"#[0-9a-fA-F]{3,8}", value.strip()) else default


# --------------------------------------------------------------------------------------------
# Feedback: anonymous JSON lines, location from CHATBOT_FEEDBACK_FILE ("off" switches it off).
# --------------------------------------------------------------------------------------------


def feedback_path() -> Path | None:
    """Where ratings go, read on every use so a deployment (or a test) can change it without a restart."""
    value = os.environ.get(FEEDBACK_ENV, "").strip()
    if value.lower() == "off":
        return None
    return Path(value).expanduser() if value else DEFAULT_FEEDBACK_FILE


def write_feedback(record: dict[str, Any]) -> bool:
    """Append one rating as a JSON line; a full disk or a bad path is logged, never shown to the patient."""
    path = feedback_path()
    if path is None:
        return False
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _feedback_lock(), path.open("a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        log.exception("could not write feedback to %s", path)
        return False
    return True


def _on_feedback(message_id: int) -> None:
    """Record a thumbs up/down once; the widget is then disabled, so each answer adds at most one line."""
    rating = st.session_state.get(f"feedback-{message_id}")
    message = next((m for m in st.session_state.messages if m["id"] == message_id), None)
    if rating is None or message is None or message["rated"] or message["reply"] is None:
        return
    reply = message["reply"]
    write_feedback(
        {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "rating": "up" if rating == 1 else "down",
            "question": message["question"],
            "pair_id": reply.pair_id,
            "matched_question": reply.matched_question,
            "kind": reply.kind,
            "confidence": round(reply.confidence, 3),
        }
    )
    message["rated"] = True


# --------------------------------------------------------------------------------------------
# Conversation state and the callbacks that change it.
# --------------------------------------------------------------------------------------------


def start_conversation(bot: Chatbot) -> None:
    """A fresh conversation for this browser session: engine state and history both start over.

    Message ids keep counting across conversations, so widget keys of an old conversation are
    never reused by a new one.
    """
    st.session_state.conversation = bot.conversation()
    st.session_state.messages = []
    st.session_state.setdefault("next_id", 0)


def _add(role: str, text: str, *, question: str = "", reply: Reply | None = None, rateable: bool = False) -> None:
    st.session_state.next_id += 1
    message: Message = {
        "id": st.session_state.next_id,
        "role": role,
        "text": text,
        "question": question,
        "reply": reply,
        "rateable": rateable,
        "rated": False,
    }
    st.session_state.messages.append(message)


def ask(question: str) -> None:
    """Send one patient message to this session's conversation and add both sides to the history.

    The chat box has no ``max_chars``: Streamlit's box silently ignores a paste that would go over
    it, which leaves a patient wondering. Instead a message over the limit still goes to the engine,
    which checks all of it for red flags, and unless it is an emergency the patient is told plainly
    how long it was and what the limit is. History keeps at most the limit, plus a note.
    """
    bot = load_bot()
    if "conversation" not in st.session_state:  # a session whose state a client cleared (``clear_cache``)
        start_conversation(bot)
    shown = question if len(question) <= MAX_MESSAGE_CHARS else question[:MAX_MESSAGE_CHARS] + "…"
    _add("user", shown)
    try:
        reply = st.session_state.conversation.ask(question)
    except Exception:  # the engine promises not to raise; a patient must never see a traceback
        log.exception("the engine failed on a message")
        reply = Reply(
            kind="fallback",
            text=f"Sorry, something went wrong on our side and I can't answer right now. {bot.settings.contact_line}",
        )
    too_long = len(question) > MAX_MESSAGE_CHARS and reply.kind != "emergency"
    if too_long:
        reply = Reply(kind="fallback", text=too_long_text(len(question), bot.settings))
    rateable = reply.kind in FEEDBACK_KINDS and not too_long
    _add("assistant", reply.text, question=shown, reply=reply, rateable=rateable)


def too_long_text(length: int, settings: ClinicSettings) -> str:
    """The clear message for an over-long message: how long it was, the limit, and what to do."""
    return (
        f"Your message is {length:,} characters long, and I can only read messages of up to "
        f"{MAX_MESSAGE_CHARS:,} characters. Please ask one question in a sentence or two. {settings.contact_line}"
    )


def _on_chat_input() -> None:
    text = st.session_state.get("chat_input")
    if text and text.strip():
        ask(text)
        st.session_state.input_handled = True


def handle_unregistered_input(submitted: str | None) -> None:
    """Answer a message whose callback Streamlit did not run, then redraw.

    Streamlit calls ``on_submit`` only for a widget this session has already drawn. After a server
    restart the reconnecting page's first message arrives in a brand-new session (and a client's
    ``clear_cache`` wipes the session the same way): the callback is skipped and, without this,
    the patient's message would silently vanish (after ``clear_cache`` the callback runs but
    cannot read its own widget's value). ``st.chat_input`` still returns it, so it is answered here.
    """
    if st.session_state.pop("input_handled", False) or not submitted or not submitted.strip():
        return
    ask(submitted)
    st.rerun()


def _on_new_conversation() -> None:
    start_conversation(load_bot())


# --------------------------------------------------------------------------------------------
# Drawing the page.
# --------------------------------------------------------------------------------------------


def page_style(settings: ClinicSettings, *, embedded: bool) -> str:
    """CSS for the clinic's colour and, inside a portal iframe, a compact layout that fits 400 px.

    Only app-controlled values go in here (the colour is checked to be a hex colour).
    """
    color = _safe_color(settings.primary_color)
    css = f"""
    .st-key-brand-header {{ border-left: 6px solid {color}; padding-left: 0.9rem; }}
    .brand-name {{ color: {color}; font-size: 2rem; font-weight: 700; line-height: 1.2; }}
    .brand-contact {{ color: rgba(27, 42, 51, 0.7); font-size: 0.9rem; margin-top: 0.15rem; }}
    .brand-contact a {{ color: inherit; font-weight: 600; }}
    [class*="st-key-suggest-"] button, [class*="st-key-start-"] button,
    [class*="st-key-suggest-"] button > div, [class*="st-key-start-"] button > div {{
        justify-content: flex-start; text-align: left;
    }}
    [class*="st-key-suggest-"] button p, [class*="st-key-start-"] button p {{ text-align: left; }}
    [class*="st-key-emergency-numbers"] p {{ font-size: 1.25rem; margin-bottom: 0.2rem; }}
    footer {{ visibility: hidden; }}
    """
    if embedded:
        css += """
        [data-testid="stHeader"], [data-testid="stDecoration"], [data-testid="stToolbar"] { display: none; }
        [data-testid="stMainBlockContainer"] { padding: 0.75rem 0.75rem 5rem 0.75rem; max-width: 100%; }
        [data-testid="stBottomBlockContainer"] { padding: 0.5rem 0.75rem 0.75rem 0.75rem; max-width: 100%; }
        [data-testid="stChatMessage"] { padding: 0.5rem 0.25rem; gap: 0.5rem; }
        .st-key-brand-header { padding-left: 0.6rem; border-left-width: 4px; }
        .brand-name { font-size: 1.15rem; }
        .brand-contact { font-size: 0.8rem; margin-top: 0; }
        """
    return f"<style>{css}</style>"


def draw_header(settings: ClinicSettings, logo: str | None, *, embedded: bool) -> None:
    """The clinic's name, how to reach the care team, and the "New conversation" button.

    A horizontal container rather than columns: columns stack below 640 px, which would push the
    button under the title inside a 400 px portal iframe. The name and contact line are one HTML
    block built only from clinic settings, each value HTML-escaped.
    """
    subtitle = "" if embedded else "Questions about your rhizotomy procedure · "
    phone = html.escape(settings.phone)
    contact = f'Care team <a href="tel:{_digits(settings.phone)}">{phone}</a>'
    if not embedded:
        contact += f", {html.escape(settings.hours)}"
    with st.container(key="brand-header", horizontal=True, wrap=False, vertical_alignment="center", gap="small"):
        if logo:
            st.image(logo, width=36 if embedded else 56)
        st.html(
            f'<div class="brand-name">{html.escape(settings.name)}</div>'
            f'<div class="brand-contact">{html.escape(subtitle)}{contact}</div>',
            width="stretch",
        )
        st.button(
            "New conversation",
            key="new-conversation",
            icon=":material/refresh:",
            on_click=_on_new_conversation,
            help="Start over: clears this conversation from the screen.",
            type="tertiary" if embedded else "secondary",
        )


def question_buttons(questions: tuple[str, ...], *, key: str, numbered: bool = False) -> None:
    """One full-width button per question; clicking sends it as the patient's next message."""
    for index, question in enumerate(questions, start=1):
        label = f"{index}. {question}" if numbered else question
        st.button(
            _escape(label),
            key=f"{key}-{index}",
            on_click=ask,
            args=(question,),
            width="stretch",
        )


def draw_welcome(bot: Chatbot, *, avatar: str, show_starters: bool) -> None:
    """The first message: who is answering, the notice (not medical advice, the emergency number), starters."""
    with st.chat_message("assistant", avatar=avatar):
        st.markdown(
            plain(
                f"Hello, I'm the {bot.settings.name} assistant. I answer questions about rhizotomy "
                "procedures using the clinic's patient information documents."
            )
        )
        st.info(plain(bot.notice), icon=":material/info:")
        if show_starters and bot.starter_questions:
            st.caption("You could start with one of these:")
            question_buttons(bot.starter_questions, key="start")


def _numbers_in(text: str, settings: ClinicSettings) -> list[tuple[str, str]]:
    """The clinic numbers an emergency reply tells the patient to call, in the order the reply gives them."""
    crisis = re.match(r"[\d\s()+-]*\d", settings.crisis_line)
    candidates = [
        ("Emergency", settings.emergency_number),
        ("Crisis line (call or text)", crisis.group().strip() if crisis else ""),
        ("Clinic urgent line", settings.urgent_phone),
    ]
    found = sorted((text.find(number), label, number) for label, number in candidates if number and number in text)
    return [(label, number) for _, label, number in found] or [("Emergency", settings.emergency_number)]


def draw_reply(message: Message, bot: Chatbot, *, latest: bool) -> None:
    """One assistant reply, drawn by kind. Buttons only on the latest reply: older options are stale."""
    reply = message["reply"]
    if reply is None:
        return
    settings = bot.settings
    kind = reply.kind
    if kind == "emergency":
        st.error(plain(reply.text), icon=":material/emergency:")
        with st.container(key=f"emergency-numbers-{message['id']}"):
            st.markdown("  \n".join(_phone_line(label, number) for label, number in _numbers_in(reply.text, settings)))
    elif kind == "handoff":
        st.info(plain(reply.text), icon=":material/support_agent:")
    elif kind == "fallback":
        show_text(reply.text)
        if settings.phone not in reply.text:
            st.caption(plain(settings.contact_line))
    elif kind == "clarify":
        options = set(reply.suggestions)
        lines = [ln for ln in reply.text.splitlines() if re.sub(r"^\s*\d+[.)]\s*", "", ln).strip() not in options]
        show_text("\n".join(lines))
    else:
        show_text(reply.text)
    if reply.notice and reply.notice != bot.notice:
        st.caption(plain(reply.notice))

    if kind == "answer" and reply.sources:
        sources = " · ".join(str(source) for source in reply.sources)
        st.caption(f":material/description: Source: {_escape(sources)}")
        if reply.passage:
            with st.expander(f"Quoted passage: {_escape(reply.sources[0].title)}", icon=":material/format_quote:"):
                show_text(reply.passage)
                st.caption(f"From {_escape(str(reply.sources[0]))} ({_escape(reply.sources[0].document)})")

    if latest and reply.suggestions:
        if kind == "clarify":
            question_buttons(reply.suggestions, key=f"suggest-{message['id']}", numbered=True)
        else:
            st.caption("Related questions:" if kind == "answer" else "You could ask:")
            question_buttons(reply.suggestions, key=f"suggest-{message['id']}")

    if message["rateable"] and feedback_path() is not None:
        st.feedback(
            "thumbs",
            key=f"feedback-{message['id']}",
            on_change=_on_feedback,
            args=(message["id"],),
            disabled=message["rated"],
        )
        if message["rated"]:
            st.caption("Thank you for your feedback.")


# --------------------------------------------------------------------------------------------
# The page.
# --------------------------------------------------------------------------------------------

embedded = bool(st.context.is_embedded)
st.set_page_config(page_title="Patient questions", page_icon=FAVICON, layout="centered")

try:
    bot = load_bot()
except KnowledgeBaseError as error:
    log.error("the knowledge base did not load: %s", error)
    st.error("The patient information assistant is not available right now. Please call the clinic.")
    raise RuntimeError("the knowledge base did not load") from None  # fails /_stcore/script-health-check

settings = bot.settings
logo = logo_source(settings)
st.set_page_config(page_title=f"{settings.name} · Patient questions", page_icon=logo or FAVICON)
st.html(page_style(settings, embedded=embedded))

if "conversation" not in st.session_state:
    start_conversation(bot)

draw_header(settings, logo, embedded=embedded)
messages: list[Message] = st.session_state.messages
assistant_avatar = logo or ASSISTANT_AVATAR
draw_welcome(bot, avatar=assistant_avatar, show_starters=not messages)

last_assistant = max((m["id"] for m in messages if m["role"] == "assistant"), default=None)
for message in messages:
    if message["role"] == "user":
        with st.chat_message("user", avatar=USER_AVATAR):
            show_text(message["text"])
    else:
        with st.chat_message("assistant", avatar=assistant_avatar):
            draw_reply(message, bot, latest=message["id"] == last_assistant)

handle_unregistered_input(st.chat_input("Type your question…", key="chat_input", on_submit=_on_chat_input))
