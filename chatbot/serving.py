"""The bot of this server process, and reloading it when the knowledge base is rebuilt.

A minimal version for live reload: one :class:`~chatbot.bot.Chatbot` per knowledge-base folder
per process, outside Streamlit's cache so that a build run elsewhere (the staff workspace, the
command line) is picked up by the running chat page without a restart. A changed ``pairs.yaml``
(its modification time, size or inode) is loaded on the next call; if that load fails the old bot
stays live and the error is logged, so a broken rebuild never takes the chat down.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from .bot import Chatbot
from .paths import KnowledgeBasePaths

__all__ = ["current_bot", "reload_bot"]

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_bots: dict[Path, tuple[tuple[int, int, int] | None, Chatbot]] = {}
_failed: dict[Path, tuple[int, int, int] | None] = {}


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def current_bot(faq_dir: str | Path | None = None) -> Chatbot:
    """The live bot for ``faq_dir``: loaded on first use, reloaded when ``pairs.yaml`` changed on disk.

    The first load raises :class:`~chatbot.errors.KnowledgeBaseError` (fail closed); a failed
    reload keeps the previous bot and is not retried until the file changes again.
    """
    paths = KnowledgeBasePaths.at(faq_dir)
    key = paths.root.resolve()
    stamp = _stamp(paths.pairs)
    entry = _bots.get(key)
    if entry is not None and (entry[0] == stamp or _failed.get(key) == stamp):
        return entry[1]
    with _lock:
        entry = _bots.get(key)
        if entry is not None and (entry[0] == stamp or _failed.get(key) == stamp):
            return entry[1]
        if entry is None:
            _bots[key] = (stamp, Chatbot.load(faq_dir))
            return _bots[key][1]
        try:
            bot = Chatbot.load(faq_dir)
        except Exception:
            _log.exception("the rebuilt knowledge base in %s did not load; the previous one stays live", key)
            _failed[key] = stamp
            return entry[1]
        _bots[key] = (stamp, bot)
        _failed.pop(key, None)
        _log.info("reloaded the knowledge base from %s", key)
        return bot


def reload_bot(faq_dir: str | Path | None = None) -> Chatbot:
    """Load ``faq_dir`` now and make it live; on failure raise and keep the previous bot."""
    paths = KnowledgeBasePaths.at(faq_dir)
    key = paths.root.resolve()
    with _lock:
        stamp = _stamp(paths.pairs)
        bot = Chatbot.load(faq_dir)
        _bots[key] = (stamp, bot)
        _failed.pop(key, None)
        return bot
