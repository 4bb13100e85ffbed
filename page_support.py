"""What the chat page (``app.py``) holds once per server process: the bot, approvals, the turn store.

Streamlit runs ``app.py`` again from the top for every message, in every session. Whatever the
script defines runs again too: a ``st.cache_resource`` decorator re-reads the function's source
to key its cache, a ``TypedDict`` class is built anew, and each cached call hashes its arguments.
Together that was several milliseconds of every reply. Defined here, in a module imported once,
they cost nothing per run.

The approvals and the turn store are held in plain process-wide holders rather than Streamlit's
cache, for the same reason as the bot (:mod:`chatbot.serving`): any browser can ask a Streamlit
server to clear its caches, which would re-open the database and re-import the old feedback
file. Each holder is filled once, under a lock; every session only reads it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypedDict, TypeVar

from chatbot import Chatbot, ClinicSettings, Reply
from chatbot.approval import Approvals, read_approvals
from chatbot.paths import KnowledgeBasePaths
from chatbot.serving import current_bot
from chatbot.storage import DATABASE_URL_ENV, StorageError, TurnStore, default_data_dir, import_feedback_once

__all__ = [
    "KNOWLEDGE_BASE_ENV",
    "OLD_FEEDBACK_ENV",
    "OLD_FEEDBACK_FILE",
    "RECORDING_ENV",
    "Message",
    "knowledge_base",
    "load_approvals",
    "load_bot",
    "turn_store",
]

ROOT = Path(__file__).resolve().parent
RECORDING_ENV = "CHATBOT_RECORDING"
OLD_FEEDBACK_ENV = "CHATBOT_FEEDBACK_FILE"
KNOWLEDGE_BASE_ENV = "CHATBOT_FAQ_DIR"
OLD_FEEDBACK_FILE = ROOT / "feedback.jsonl"
"""Where the JSON-lines ratings used to go; imported into the database once, then renamed."""

log = logging.getLogger("chatbot.app")

T = TypeVar("T")


class Message(TypedDict):
    """One entry of a session's history; plain data, so it survives reruns unchanged."""

    id: int
    role: str  # "user" or "assistant"
    text: str  # what the patient typed (user) or the reply text (assistant)
    question: str  # for an assistant message: the patient message it answers
    reply: Reply | None
    rateable: bool  # shows thumbs up/down (answers and fallbacks, not the "too long" notice)
    rated: bool
    turn_id: int | None  # the recorded turn (None if recording is off or failed)
    rating_failed: bool  # the rating could not be saved: the patient is told so
    commented: bool


class _Once:
    """Values made once per key for the whole process; later calls only read them (no lock on that path)."""

    def __init__(self) -> None:
        self._values: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        try:
            return self._values[key]  # type: ignore[return-value]
        except KeyError:
            pass
        with self._lock:
            if key not in self._values:
                self._values[key] = make()
            return self._values[key]  # type: ignore[return-value]


_approvals = _Once()
_stores = _Once()


def knowledge_base() -> str | None:
    """The knowledge-base folder: ``CHATBOT_FAQ_DIR`` if set (one server per clinic), else the shipped ``faq/``."""
    return os.environ.get(KNOWLEDGE_BASE_ENV, "").strip() or None


def load_bot() -> Chatbot:
    """The live bot: loaded once per process, and again only when the knowledge base was rebuilt."""
    return current_bot(knowledge_base())


def load_approvals() -> Approvals:
    """Who approved each document: answers quote the approval date when the clinic turned that on."""
    path = knowledge_base()
    return _approvals.get(path, lambda: read_approvals(KnowledgeBasePaths.at(path).approvals))


def _open_store(url: str | None, data_dir: str, retention_days: int, keep_questions: bool) -> TurnStore | None:
    """The process's database, opened once; None (logged as one clear line) when it cannot be opened.

    This is the start-up check: an unwritable data folder or an unreachable database is reported
    here, and the chat runs on without recording. The old feedback file is imported once.
    """
    try:
        store = TurnStore.open(url, data_dir=data_dir, retention_days=retention_days)
    except StorageError as error:
        log.error("storage unavailable, turns and ratings are not recorded: %s", error)
        return None
    old = os.environ.get(OLD_FEEDBACK_ENV, "").strip()
    try:
        imported = import_feedback_once(store, Path(old) if old else OLD_FEEDBACK_FILE, keep_questions=keep_questions)
    except StorageError as error:
        log.error(
            "old feedback file not imported (fix it, then `python -m chatbot.storage import-feedback`): %s", error
        )
        return store
    if imported:
        log.warning("imported %d ratings from the old feedback file into %s", imported, store.where)
    return store


def turn_store(settings: ClinicSettings) -> TurnStore | None:
    """Where turns go, or None when recording is off or storage is unavailable."""
    if os.environ.get(RECORDING_ENV, "").strip().lower() == "off":
        return None
    key = (
        os.environ.get(DATABASE_URL_ENV, "").strip() or None,
        str(default_data_dir()),
        settings.retention_days,
        settings.store_patient_messages,
    )
    return _stores.get(key, lambda: _open_store(*key))
