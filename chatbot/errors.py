"""Exceptions, one class per way the bot can fail.

Callers catch :class:`ChatbotError` for "anything this package raised on purpose"; the
subclasses say which failure it was so the CLI can print one clear line for each.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ChatbotError", "IndexMismatchError", "KnowledgeBaseError", "NotFittedError"]


class ChatbotError(Exception):
    """Base class of every error this package raises deliberately."""


class KnowledgeBaseError(ChatbotError):
    """A knowledge-base file (document, YAML) is unreadable or malformed.

    The message is ``file:line: reason`` so clinic staff can open the file at the right place.
    ``line`` is 1-based; ``None`` when the problem is the whole file (missing, unreadable).
    """

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {reason}")


class NotFittedError(ChatbotError):
    """An index was searched before ``fit`` was called on it."""


class IndexMismatchError(ChatbotError):
    """A stored index state was learned from other texts than the pairs it is restored onto."""
