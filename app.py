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
* Every turn is recorded in the clinic's database (``chatbot/storage.py``): the time, a random
  conversation id, the reply kind, the matched pair, the confidence, the procedure and the
  patient's rating. What the patient typed is stored only if ``clinic.yaml`` says
  ``store_patient_messages: true``, and then scrubbed of names, dates, numbers and addresses.
  A storage failure is logged and never stops the chat; a rating that was not saved says so.
* The bot comes from ``chatbot.serving`` on every run, so a rebuilt knowledge base goes live
  without a restart; a session's history survives the switch.

What is needed once per process (the bot, approvals, the turn store, the history entry type)
lives in ``page_support.py``, imported once, and each run draws the page and does nothing else.
And a message does not rerun the whole script: redrawing every past message cost the server
about 2 ms per exchange on the screen, so long conversations capped a server's replies per
second. The conversation from the latest reply on is drawn by ``st.fragment``s laid side by
side, two replies each (:func:`draw_slots`), and a message reruns only the fragments of the
reply before it and of the new reply: that reply (its buttons go), the new message and the new
reply. Every 40th message (:data:`SLOTS`), a reconnect and "New conversation" run the whole page,
which draws older messages without fragments.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

import accessibility
from chatbot import Chatbot, ClinicSettings, Conversation, KnowledgeBaseError, Reply
from chatbot.bot import MAX_MESSAGE_CHARS
from chatbot.serving import knowledge_base_dir
from chatbot.storage import StorageError, new_conversation_id
from page_support import Message, load_approvals, load_bot, turn_store

ROOT = Path(__file__).resolve().parent
USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = ":material/medical_services:"
FAVICON = str(ROOT / "assets" / "favicon.png")
"""A local file: a ``:material/…:`` page icon makes every patient's browser fetch it from Google's servers."""
FEEDBACK_KINDS = frozenset({"answer", "fallback"})
"""Replies a patient can rate: answers, and fallbacks (a thumbs-down there shows what the documents miss)."""
WELCOME = 0
"""The welcome message's place among the replies the fragments draw (:func:`draw_slots`); history ids start at 1."""
REPLIES_PER_FRAGMENT = 2
"""Assistant messages one fragment (slot) draws, with the patient messages after them (:func:`draw_slots`)."""
SLOTS = 20
"""Fragments a whole-page run lays out for the replies to come; when they are full, a message
redraws the whole page instead (:func:`redraw_from`).

Side by side, the fragments all sit at the same depth, so calling one costs Streamlit the same
copy of the enclosing containers however long the conversation (fragments nested in one another
made that copy grow with the square of the depth). A whole-page run costs about 2 ms per exchange
on the screen, and an empty slot almost nothing: twenty slots of two replies redraw the page
whole once in 40 messages (``benchmarks/bench_load.py``)."""

log = logging.getLogger("chatbot.app")


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
# Clinic branding. (The bot, approvals and turn store are held once per process in page_support.py.)
# --------------------------------------------------------------------------------------------


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
# Recording turns and ratings (chatbot/storage.py); CHATBOT_RECORDING=off switches it off.
# --------------------------------------------------------------------------------------------


def record_turn(bot: Chatbot, question: str, reply: Reply) -> int | None:
    """Record one turn; a failure is logged and the chat goes on (the turn just cannot be rated)."""
    store = turn_store(bot.settings)
    if store is None:
        return None
    try:
        return store.record(
            conversation=st.session_state.conversation_id,
            kind=reply.kind,
            confidence=reply.confidence,
            pair_id=reply.pair_id,
            matched_question=reply.matched_question,
            procedure=reply.procedure,
            message=question if bot.settings.store_patient_messages else None,
        )
    except StorageError as error:
        log.error("%s", error)
        return None


def _on_feedback(message_id: int) -> None:
    """Record a thumbs up/down once; only a saved rating is thanked, a failed one says it was not saved."""
    rating = st.session_state.get(f"feedback-{message_id}")
    message = next((m for m in st.session_state.messages if m["id"] == message_id), None)
    if rating is None or message is None or message["rated"] or message["turn_id"] is None:
        return
    store = turn_store(load_bot().settings)
    try:
        if store is None:
            raise StorageError("storage is not available")
        store.rate(message["turn_id"], "up" if rating == 1 else "down", conversation=st.session_state.conversation_id)
    except StorageError as error:
        log.error("rating not saved: %s", error)
        message["rating_failed"] = True
        return
    message["rated"], message["rating_failed"] = True, False


def _on_comment(message_id: int) -> None:
    """An optional comment after a rating; stored scrubbed, like messages, and only if the clinic allows."""
    text = str(st.session_state.get(f"comment-{message_id}") or "").strip()
    message = next((m for m in st.session_state.messages if m["id"] == message_id), None)
    store = turn_store(load_bot().settings)
    if not text or message is None or message["turn_id"] is None or store is None:
        return
    try:
        store.comment(message["turn_id"], text, conversation=st.session_state.conversation_id)
    except StorageError as error:
        log.error("comment not saved: %s", error)
        return
    message["commented"] = True


# --------------------------------------------------------------------------------------------
# Conversation state and the callbacks that change it.
# --------------------------------------------------------------------------------------------


def start_conversation(bot: Chatbot) -> None:
    """A fresh conversation for this browser session: engine state and history both start over.

    Message ids keep counting across conversations, so widget keys of an old conversation are
    never reused by a new one.
    """
    st.session_state.conversation = scoped_conversation(bot, st.query_params.get("procedure"))
    st.session_state.conversation_bot = bot
    st.session_state.conversation_id = new_conversation_id()
    st.session_state.messages = []
    st.session_state.setdefault("next_id", 0)


def scoped_conversation(bot: Chatbot, procedure: str | None) -> Conversation:
    """A conversation scoped to the portal's ``?procedure=`` if it names one the documents cover.

    A portal that passes a name the knowledge base does not know gets an unscoped conversation
    (and a line in the log), not a broken page: the patient can still ask about any procedure.
    """
    if procedure:
        try:
            return bot.conversation(procedure=procedure)
        except ValueError:
            log.warning("ignoring the portal's procedure %r: %s", procedure, "not in the knowledge base")
    return bot.conversation()


def _add(
    role: str,
    text: str,
    *,
    question: str = "",
    reply: Reply | None = None,
    rateable: bool = False,
    turn_id: int | None = None,
) -> None:
    st.session_state.next_id += 1
    message: Message = {
        "id": st.session_state.next_id,
        "role": role,
        "text": text,
        "question": question,
        "reply": reply,
        "rateable": rateable,
        "rated": False,
        "turn_id": turn_id,
        "rating_failed": False,
        "commented": False,
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
    if st.session_state.get("conversation_bot") is not bot:
        # The knowledge base was rebuilt: go on with the new one, keeping what is on the screen.
        st.session_state.conversation = scoped_conversation(bot, st.query_params.get("procedure"))
        st.session_state.conversation_bot = bot
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
    turn_id = record_turn(bot, shown, reply)
    rateable = reply.kind in FEEDBACK_KINDS and not too_long and turn_id is not None
    _add("assistant", reply.text, question=shown, reply=reply, rateable=rateable, turn_id=turn_id)


def too_long_text(length: int, settings: ClinicSettings) -> str:
    """The clear message for an over-long message: how long it was, the limit, and what to do."""
    return (
        f"Your message is {length:,} characters long, and I can only read messages of up to "
        f"{MAX_MESSAGE_CHARS:,} characters. Please ask one question in a sentence or two. {settings.contact_line}"
    )


def _on_chat_input() -> None:
    text = st.session_state.get("chat_input")
    if text and text.strip():
        after = tail()
        ask(text)
        redraw_from(after)
        st.session_state.input_handled = True  # a whole-page run follows: handle_unregistered_input skips it


def _on_question_button(question: str) -> None:
    """A starter, related question or option: asked like a typed message, then redrawn the same way."""
    after = tail()
    ask(question)
    redraw_from(after)
    st.rerun()


def tail() -> int:
    """The last assistant message (or the welcome): a new exchange is drawn from it on."""
    messages: list[Message] = st.session_state.get("messages", [])
    return max((m["id"] for m in messages if m["role"] == "assistant"), default=WELCOME)


def slot_key(slot: int) -> str:
    return f"slot-{slot}"


def redraw_from(anchor: int) -> None:
    """Rerun only the slots of the reply ``anchor`` and of the new one; return if the whole page must be redrawn.

    The slot of ``anchor`` redraws its replies (the buttons of ``anchor`` go: they are stale now)
    and the new patient message, the new reply's slot (the same one, or the next) draws it, and
    every older message stays on the screen as it is, so a reply costs the same in a long
    conversation as in a short one. Streamlit's keyed rerun stops the callback here. The whole
    page is redrawn instead (this returns) when the new reply would need a slot past
    :data:`SLOTS`, or this session has not drawn the slots (a page that reconnected to a restarted
    server).
    """
    replies = chained_replies()
    if anchor not in replies or len(replies) > SLOTS * REPLIES_PER_FRAGMENT:
        return
    slots = dict.fromkeys((replies.index(anchor) // REPLIES_PER_FRAGMENT, (len(replies) - 1) // REPLIES_PER_FRAGMENT))
    try:
        st.rerun([slot_key(slot) for slot in slots])
    except StreamlitAPIException:
        return


def chained_replies() -> list[int]:
    """The assistant messages the slots draw: the one the last whole-page run started from, and all later ones."""
    root = st.session_state.get("chain_root")
    if root is None:
        return []
    messages: list[Message] = st.session_state.get("messages", [])
    return [root, *(m["id"] for m in messages if m["role"] == "assistant" and m["id"] > root)]


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
    .brand-contact {{ font-size: 0.9rem; margin-top: 0.15rem; }}
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
        .brand-contact { margin-top: 0; }
        """
    return f"<style>{css}</style>" + accessibility.page_css(color, embedded=embedded)


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
        st.html(accessibility.page_heading(settings.name, subtitle=subtitle, contact_html=contact), width="stretch")
        st.button(
            "New conversation",
            key="new-conversation",
            icon=":material/refresh:",
            on_click=_on_new_conversation,
            help="Start over: clears this conversation from the screen.",
            type="tertiary" if embedded else "secondary",
        )


def question_buttons(
    questions: tuple[str, ...], *, key: str, numbered: bool = False, labels: tuple[str, ...] = ()
) -> None:
    """One full-width button per question; clicking sends it as the patient's next message.

    ``labels`` (one per question) are shown instead of the questions themselves.
    """
    for index, question in enumerate(questions, start=1):
        label = labels[index - 1] if labels else question
        label = f"{index}. {label}" if numbered else label
        st.button(
            _escape(label),
            key=f"{key}-{index}",
            on_click=_on_question_button,
            args=(question,),
            width="stretch",
        )


def draw_welcome(bot: Chatbot, *, avatar: str, show_starters: bool) -> None:
    """The first message: who is answering, the notice (not medical advice, the emergency number), starters."""
    with st.chat_message("assistant", avatar=avatar):
        st.html(accessibility.message_heading("assistant", welcome=True))
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


def draw_numbers(text: str, settings: ClinicSettings, *, key: str) -> None:
    """The numbers urgent advice ``text`` tells the patient to call, as tap-to-call lines in a keyed container."""
    with st.container(key=key):
        st.markdown("  \n".join(_phone_line(label, number) for label, number in _numbers_in(text, settings)))


def draw_reply(message: Message, bot: Chatbot, *, latest: bool) -> None:
    """One assistant reply, drawn by kind. Buttons only on the latest reply: older options are stale."""
    reply = message["reply"]
    if reply is None:
        return
    settings = bot.settings
    kind = reply.kind
    st.html(accessibility.message_heading("assistant", kind))
    if reply.safety_net:
        st.warning(plain(reply.safety_net), icon=":material/emergency:")
        draw_numbers(reply.safety_net, settings, key=f"safety-net-numbers-{message['id']}")
    if kind == "emergency":
        st.error(plain(reply.text), icon=":material/emergency:")
        draw_numbers(reply.text, settings, key=f"emergency-numbers-{message['id']}")
    elif kind == "handoff":
        st.info(plain(reply.text), icon=":material/support_agent:")
    elif kind == "fallback":
        show_text(reply.text)
        if settings.phone not in reply.text:
            st.caption(plain(settings.contact_line))
    else:
        show_text(reply.text)
    if reply.notice and reply.notice != bot.notice:
        st.caption(plain(reply.notice))

    if kind == "answer" and reply.sources:
        sources = " · ".join(load_approvals().source_line(source) for source in reply.sources)
        st.caption(f":material/description: Source: {_escape(sources)}")
        if reply.passage:
            with st.expander(f"Quoted passage: {_escape(reply.sources[0].title)}", icon=":material/format_quote:"):
                show_text(reply.passage)
                st.caption(f"From {_escape(str(reply.sources[0]))} ({_escape(reply.sources[0].document)})")

    if latest and reply.options:
        if kind == "answer":
            st.caption("Ask the same about another procedure:")
        question_buttons(
            tuple(option.question for option in reply.options),
            labels=tuple(option.label for option in reply.options),
            key=f"option-{message['id']}",
            numbered=kind == "clarify",
        )
    if latest and reply.suggestions and kind != "clarify":
        st.caption("Related questions:" if kind == "answer" else "You could ask:")
        question_buttons(reply.suggestions, key=f"suggest-{message['id']}")

    if message["rateable"]:
        draw_rating(message, settings)


def draw_rating(message: Message, settings: ClinicSettings) -> None:
    """Thumbs up/down; thanks only once saved; then, if the clinic keeps patients' words, an optional comment."""
    st.feedback(
        "thumbs",
        key=f"feedback-{message['id']}",
        on_change=_on_feedback,
        args=(message["id"],),
        disabled=message["rated"],
    )
    if message["rating_failed"]:
        st.caption("Sorry, your rating could not be saved right now.")
    elif message["rated"]:
        st.caption("Thank you for your feedback.")
        if settings.store_patient_messages and not message["commented"]:
            st.text_input(
                "Anything to add? (optional; please leave out names and contact details)",
                key=f"comment-{message['id']}",
                on_change=_on_comment,
                args=(message["id"],),
                max_chars=MAX_MESSAGE_CHARS,
            )
        elif message["commented"]:
            st.caption("Comment received.")


def draw_message(message: Message, bot: Chatbot, *, avatar: str, latest: bool) -> None:
    """One entry of the history: the patient's words as typed, or a reply drawn by kind."""
    if message["role"] == "user":
        with st.chat_message("user", avatar=USER_AVATAR):
            st.html(accessibility.message_heading("user"))
            show_text(message["text"])
    else:
        with st.chat_message("assistant", avatar=avatar):
            draw_reply(message, bot, latest=latest)


def draw_slots() -> None:
    """The conversation from the latest reply (or the welcome) on, in :data:`SLOTS` fragments Streamlit can rerun alone.

    Slot ``k`` draws the replies ``k * REPLIES_PER_FRAGMENT`` onwards of :func:`chained_replies`,
    :data:`REPLIES_PER_FRAGMENT` of them, with the patient messages after each; the slots of
    replies still to come draw nothing yet. A new message reruns only the slots of the reply
    before it and of the new reply (:func:`redraw_from`), so each reply redraws a few messages
    rather than the whole history.
    """
    for slot in range(SLOTS):
        st.fragment(_draw_slot, key=slot_key(slot))(slot)


def _draw_slot(slot: int) -> None:
    replies = chained_replies()
    first = slot * REPLIES_PER_FRAGMENT
    if first >= len(replies):  # a reply still to come, or a conversation the patient has since started over
        return
    anchor = replies[first]
    following = replies[first + REPLIES_PER_FRAGMENT] if first + REPLIES_PER_FRAGMENT < len(replies) else None
    bot = load_bot()
    messages: list[Message] = st.session_state.messages
    avatar = logo_source(bot.settings) or ASSISTANT_AVATAR
    if anchor == WELCOME:
        draw_welcome(bot, avatar=avatar, show_starters=not messages)
        after = 0
    else:
        after = next(i for i, m in enumerate(messages) if m["id"] == anchor)
    for message in messages[after:]:
        if message["id"] == following:
            return
        draw_message(message, bot, avatar=avatar, latest=message["id"] == replies[-1])


# --------------------------------------------------------------------------------------------
# The page.
# --------------------------------------------------------------------------------------------

embedded = bool(st.context.is_embedded)

try:
    bot = load_bot()
    load_approvals()
except KnowledgeBaseError as error:
    log.error("the knowledge base did not load: %s", error)
    st.set_page_config(page_title="Patient questions", page_icon=FAVICON, layout="centered")
    st.error("The patient information assistant is not available right now. Please call the clinic.")
    raise RuntimeError("the knowledge base did not load") from None  # fails /_stcore/script-health-check

settings = bot.settings
turn_store(settings)  # the start-up check: opens the database once per process, logs what is wrong
logo = logo_source(settings)
# One page config per run: each is a message to the browser, and its icon is looked up again each time.
st.set_page_config(page_title=f"{settings.name} · Patient questions", page_icon=logo or FAVICON, layout="centered")
st.html(page_style(settings, embedded=embedded))

if "conversation" not in st.session_state:
    start_conversation(bot)

draw_header(settings, logo, embedded=embedded)
# Older messages are drawn here; the conversation from the latest reply on is in fragments, so the
# next message redraws only that much (draw_slots). This run empties the slots earlier messages filled.
st.session_state.chain_root = tail()
with st.container(key="conversation"):  # the live region: assets/accessibility.js makes it role="log"
    if st.session_state.chain_root != WELCOME:
        draw_welcome(bot, avatar=logo or ASSISTANT_AVATAR, show_starters=False)
    for message in st.session_state.messages:
        if message["id"] == st.session_state.chain_root:
            break
        draw_message(message, bot, avatar=logo or ASSISTANT_AVATAR, latest=False)
    draw_slots()

with st.container(key="accessibility-support"):
    st.html(accessibility.page_script(), unsafe_allow_javascript=True)
handle_unregistered_input(st.chat_input("Type your question…", key="chat_input", on_submit=_on_chat_input))
