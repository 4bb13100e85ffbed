"""The one result type every entry point returns.

A reply is a value: frozen, hashable, and free of references back into the bot, so the chat page
can keep it in session history and tests can compare it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["KINDS", "Option", "Reply", "Source"]

Kind = Literal["answer", "clarify", "fallback", "emergency", "smalltalk", "handoff"]
KINDS: tuple[str, ...] = ("answer", "clarify", "fallback", "emergency", "smalltalk", "handoff")


@dataclass(frozen=True)
class Source:
    """Where an answer's words come from: the document title, its file name and the section."""

    title: str
    document: str
    section: str = ""

    def __str__(self) -> str:
        if self.section and self.section != self.title:
            return f"{self.title} — {self.section}"
        return self.title


@dataclass(frozen=True)
class Option:
    """A one-tap choice offered with a reply: ``label`` is shown, ``question`` is sent if chosen.

    A clarification's choices, and "the same question about another procedure" after an answer
    that had to pick one. ``procedure`` is the procedure the option is about ("" for none).
    """

    label: str
    question: str
    procedure: str = ""


@dataclass(frozen=True)
class Reply:
    """What the bot says to one message.

    ``text`` is what the patient sees. For an answer it is the document passage itself
    (``passage``) with nothing added, so the chat page can quote it verbatim; ``notice`` is the
    one-line disclaimer shown with the first reply of a conversation ("" otherwise).

    ``options`` are structured choices (a clarification's, or the same question about another
    procedure); ``suggestions`` are related questions. ``about`` names the procedure an answer is
    about when the patient had not said which; ``reason`` says why the bot decided as it did
    (for staff, not for patients). A fallback's ``confidence`` is its best passage's probability
    (at most the threshold): from 0.5 (:data:`chatbot.answerer.UNSURE`) the bot was unsure which
    passage answers, and its text says so, rather than found none. ``safety_net`` is the
    urgent-care advice for a red-flag symptom the message asks about rather than reports ("is it
    normal to have a fever after?"), to show before the reply: the patient asking may be having
    it. The learned safety net
    (:mod:`chatbot.alarm`) sets it too, for a likely report the rules missed and for a red flag
    the rules found that is most likely history or a risk.
    """

    kind: Kind
    text: str
    confidence: float = 0.0
    sources: tuple[Source, ...] = ()
    matched_question: str | None = None
    suggestions: tuple[str, ...] = ()
    passage: str = ""
    notice: str = ""
    pair_id: str | None = None
    topic: str | None = None
    procedure: str | None = None
    tags: tuple[str, ...] = field(default=())
    options: tuple[Option, ...] = ()
    about: str = ""
    reason: str = ""
    safety_net: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reply kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")
