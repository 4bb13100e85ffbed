"""The knowledge base of a server process: loaded once, fail-closed, reloaded only from disk.

A chat server shares one immutable :class:`~chatbot.bot.Chatbot` between every session. It is
held here, in this module, rather than in Streamlit's ``st.cache_resource``: any browser can ask
a Streamlit server to clear its caches, which would make an anonymous client force knowledge-base
reloads (and pick up a half-edited file). Nothing a client sends reaches this holder; only the
files on disk do.

* :func:`current_bot` loads the knowledge base the first time (under a lock; an error propagates,
  so a server never starts half-loaded), then on each call compares a cheap signature of the
  knowledge-base files (size and modification time) with the loaded one. When ``pairs.yaml``,
  ``index.npz``, ``examples.yaml`` or a staff file changed, it loads the new version; if that
  fails it keeps serving the previous bot and logs one line naming the file, once per changed
  version.
* :func:`reload_bot` forces a reload now, and raises (keeping the old bot) when it fails.

The engine imports no Streamlit, and neither does this module.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .bot import Chatbot
from .errors import KnowledgeBaseError
from .paths import KnowledgeBasePaths

__all__ = ["KNOWLEDGE_BASE_ENV", "current_bot", "knowledge_base_dir", "refresh", "reload_bot", "status"]

KNOWLEDGE_BASE_ENV = "CHATBOT_FAQ_DIR"
"""Environment variable naming the knowledge-base folder of a server (one server per clinic)."""

GC_FREEZE_ENV = "CHATBOT_GC_FREEZE"
"""``off`` keeps the loaded bot in the garbage collector's reach: only to measure what freezing it buys."""

_log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int, int], ...]


def knowledge_base_dir(faq_dir: str | Path | None = None) -> Path:
    """The folder to serve: ``faq_dir``, else ``CHATBOT_FAQ_DIR``, else the shipped ``faq/``; always absolute."""
    chosen = faq_dir if faq_dir is not None else os.environ.get(KNOWLEDGE_BASE_ENV, "").strip() or None
    return KnowledgeBasePaths.at(chosen).root.resolve()


def watched_files(root: Path) -> tuple[Path, ...]:
    """Every file a load of ``root`` reads."""
    paths = KnowledgeBasePaths.at(root)
    return (
        paths.pairs,
        paths.index,
        paths.examples,
        paths.clinic,
        paths.synonyms,
        paths.safety,
        paths.smalltalk,
        paths.approvals,
    )


def signature(files: tuple[Path, ...]) -> Signature:
    """Size, modification time and inode of each file; any edit or replacement changes it.

    Eight ``stat`` calls on paths built once: cheap enough to run on every page run. A missing
    file counts as ``(-1, -1, -1)`` so that deleting one is a change too.
    """
    entries = []
    for file in files:
        try:
            info = file.stat()
        except OSError:
            entries.append((file.name, -1, -1, -1))
        else:
            entries.append((file.name, info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(entries)


@dataclass(frozen=True)
class Status:
    """What the readiness probe reports: the folder, whether a bot is loaded, and the last failed reload."""

    root: Path
    loaded: bool
    demonstration: bool
    pairs: int
    error: str | None


class _Holder:
    """One knowledge-base folder's bot in this process.

    The lock serialises loads; readers take the current bot without it (an attribute read is
    atomic), so a reload never stalls the patients being answered meanwhile.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = watched_files(root)
        self.lock = threading.Lock()
        self.bot: Chatbot | None = None
        self.loaded_signature: Signature | None = None
        self.failed_signature: Signature | None = None
        self.error: str | None = None
        self.failure: KnowledgeBaseError | None = None

    def current(self) -> Chatbot:
        bot = self.bot
        if bot is None:
            with self.lock:
                if self.bot is None:
                    seen = signature(self.files)
                    failure = self.failure
                    if seen == self.failed_signature and failure is not None:
                        # The same files failed already: no reload per page view, and a fresh exception.
                        raise KnowledgeBaseError(failure.path, failure.line, failure.reason)
                    self._load(seen)
                assert self.bot is not None
                return self.bot
        seen = signature(self.files)
        if seen in (self.loaded_signature, self.failed_signature):
            return bot
        if not self.lock.acquire(blocking=False):
            return bot  # another session is reloading right now; serve the current bot meanwhile
        try:
            if signature(self.files) not in (self.loaded_signature, self.failed_signature):
                try:
                    self._load(signature(self.files))
                except KnowledgeBaseError as exc:
                    _log.error("kept the previous knowledge base: %s", exc)  # one line, no traceback
        finally:
            self.lock.release()
        assert self.bot is not None
        return self.bot

    def reload(self) -> Chatbot:
        with self.lock:
            self._load(signature(self.files))
            assert self.bot is not None
            return self.bot

    def _load(self, seen: Signature) -> None:
        """Load into the holder, or record the failure and raise; the previous bot stays either way on failure."""
        try:
            bot = Chatbot.load(self.root)
            bot.warm_up()
        except KnowledgeBaseError as exc:
            self.failed_signature = seen
            self.error = str(exc)
            self.failure = exc
            raise
        self.bot = bot
        self.loaded_signature = seen
        self.failed_signature = None
        self.error = None
        self.failure = None
        _log.info("loaded the knowledge base in %s: %d pairs", self.root, len(bot.pairs))
        if bot.settings.demonstration:
            _log.warning(
                "%s: demonstration setup: the clinic's name and numbers are examples; not for patients",
                KnowledgeBasePaths.at(self.root).clinic,
            )
        # The bot lives as long as the process: move it (and everything imported so far) into the
        # collector's permanent generation, so the full collection Streamlit runs after every page
        # run does not walk it again. Unfreezing first lets a replaced bot be freed.
        if os.environ.get(GC_FREEZE_ENV, "").strip().lower() != "off":
            gc.unfreeze()
            gc.collect()
            gc.freeze()


_holders: dict[Path, _Holder] = {}
_holders_lock = threading.Lock()


def _holder(faq_dir: str | Path | None) -> _Holder:
    root = knowledge_base_dir(faq_dir)
    with _holders_lock:
        return _holders.setdefault(root, _Holder(root))


def current_bot(faq_dir: Path | None = None) -> Chatbot:
    """The bot for ``faq_dir`` (default :func:`knowledge_base_dir`), loaded once per process.

    The first call loads and raises :class:`KnowledgeBaseError` if the knowledge base cannot load.
    Later calls notice an edited ``pairs.yaml`` (or examples, clinic, synonyms, safety, small-talk,
    approvals file) and load it; a failed reload keeps the previous bot and logs one line.
    """
    return _holder(faq_dir).current()


def reload_bot(faq_dir: Path | None = None) -> Chatbot:
    """Load the knowledge base again now; on failure raise :class:`KnowledgeBaseError` and keep the old bot."""
    return _holder(faq_dir).reload()


def refresh(faq_dir: Path | None = None) -> Status:
    """:func:`status` after checking the files as a page view does: an edit since the last load
    is loaded now, or, if it does not load, kept out and reported (the previous bot stays).

    For the readiness probe, so that an operator who edits a file and asks ``/readyz`` sees the
    result without opening the chat. Loads nothing when nothing is loaded yet (start-up does).
    """
    holder = _holder(faq_dir)
    if holder.bot is not None:
        holder.current()
    return status(faq_dir)


def status(faq_dir: Path | None = None) -> Status:
    """The state of ``faq_dir``'s bot without loading anything: for readiness probes."""
    holder = _holder(faq_dir)
    bot = holder.bot
    return Status(
        root=holder.root,
        loaded=bot is not None,
        demonstration=bool(bot and bot.settings.demonstration),
        pairs=len(bot.pairs) if bot else 0,
        error=holder.error,
    )
