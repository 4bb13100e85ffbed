"""The public entry point: ``Chatbot.load()`` then ``bot.ask(question)`` or ``bot.conversation()``.

A ``Chatbot`` holds the knowledge base and its fitted index and never changes after loading, so
one instance serves every chat session and thread of a server. Everything that belongs to one
patient (the procedure being discussed, a pending clarification) lives in a
:class:`~chatbot.conversation.Conversation`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from .build import is_stale
from .conversation import MAX_MESSAGE_CHARS, Conversation
from .errors import KnowledgeBaseError
from .index import Index, Match, Query
from .lexicon import english_words
from .normalize import normalize
from .pairs import Pair, read_pairs
from .paths import DEFAULT_FAQ, KnowledgeBasePaths, read_support
from .reply import Reply
from .safety import SafetyRules
from .settings import ClinicSettings
from .smalltalk import SmallTalk
from .synonyms import Synonyms

__all__ = ["MAX_MESSAGE_CHARS", "Chatbot", "Conversation"]

_log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.40
DEFAULT_CLARIFY_MARGIN = 0.15
_GENERIC_PROCEDURE_WORDS = frozenset({"procedure", "surgery", "treatment", "the", "a", "an", "of", "for"})
_STARTER_TOPICS = ("what-is", "duration", "risks", "preparation", "recovery")


class Chatbot:
    """Answers patient questions from one knowledge base.

    Parameters
    ----------
    pairs:
        The FAQ pairs to answer from.
    settings, synonyms, safety, smalltalk:
        The clinic's settings and rule files. Without them: default settings, no synonyms, and the
        shipped safety and small-talk rules (a bot is never built without red-flag checks).
    threshold:
        Minimum confidence for answering; below it the reply is a fallback that says the documents
        do not cover the question.
    clarify_margin:
        When the best matches for a question about no particular procedure are from different
        procedures and within this much of each other, the bot asks which one is meant.
    """

    def __init__(
        self,
        pairs: Iterable[Pair],
        *,
        settings: ClinicSettings | None = None,
        synonyms: Synonyms | None = None,
        safety: SafetyRules | None = None,
        smalltalk: SmallTalk | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        clarify_margin: float = DEFAULT_CLARIFY_MARGIN,
    ) -> None:
        pairs = tuple(pairs)
        settings = settings or ClinicSettings()
        values: dict[str, Any] = {
            "pairs": pairs,
            "settings": settings,
            "synonyms": synonyms or Synonyms(),
            "safety": safety or SafetyRules.from_file(KnowledgeBasePaths.at().safety),
            "smalltalk": smalltalk or SmallTalk.from_file(KnowledgeBasePaths.at().smalltalk),
            "threshold": threshold,
            "clarify_margin": clarify_margin,
            "index_": Index(synonyms=synonyms, real_words=english_words()).fit(pairs),
            "notice": (
                f"I share general information from {settings.name}'s patient documents; it is not medical advice. "
                f"In an emergency, call {settings.emergency_number}."
            ),
        }
        values["procedures_"] = _ProcedureNames(pairs, values["synonyms"])
        values["starter_questions"] = settings.starter_questions or _starters(pairs)
        values["_by_id"] = {p.id: p for p in pairs}
        values["order_"] = {p.id: i for i, p in enumerate(pairs)}
        by_document: dict[str, list[Pair]] = {}
        for pair in pairs:
            by_document.setdefault(pair.source.document, []).append(pair)
        values["by_document_"] = {doc: tuple(group) for doc, group in by_document.items()}
        positions: dict[str, list[int]] = {}
        for i, pair in enumerate(pairs):
            positions.setdefault(pair.procedure, []).append(i)
        values["procedure_pairs_"] = {name: np.asarray(found, dtype=np.int64) for name, found in positions.items()}
        for name, value in values.items():
            object.__setattr__(self, name, MappingProxyType(value) if isinstance(value, dict) else value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Chatbot is immutable (cannot set {name!r}); load a new one instead")

    @classmethod
    def load(cls, path: str | Path | None = None, **options: Any) -> Chatbot:
        """Load the knowledge base in folder ``path`` (default: the shipped ``faq/``).

        The index is rebuilt from the text files on every load; it takes well under a second.
        """
        paths = KnowledgeBasePaths.at(path)
        if not paths.root.is_dir():
            raise KnowledgeBaseError(paths.root, None, "knowledge-base folder not found")
        if not paths.pairs.exists():
            option = "" if paths.root == DEFAULT_FAQ else f" --faq {paths.root}"
            reason = f"no built pairs file: run `python -m chatbot{option} build` first"
            raise KnowledgeBaseError(paths.pairs, None, reason)
        if paths.documents.is_dir() and is_stale(paths):
            _log.warning(
                "%s was not built from the current documents and curated.yaml: run `python -m chatbot build`",
                paths.pairs,
            )
        support = read_support(paths)
        return cls(
            read_pairs(paths.pairs),
            settings=support.settings,
            synonyms=support.synonyms,
            safety=support.safety,
            smalltalk=support.smalltalk,
            **options,
        )

    def ask(self, question: str | bytes) -> Reply:
        """Answer one question on its own, with no conversation history and no notice."""
        return Conversation(self, notice=False).ask(question)

    def conversation(self) -> Conversation:
        """A new conversation for one patient: it remembers the procedure and pending clarifications."""
        return Conversation(self)

    def pair(self, pair_id: str) -> Pair | None:
        """The pair with id ``pair_id``, or ``None``."""
        return self._by_id.get(pair_id)

    def procedures_in(self, question: str | Query) -> tuple[str, ...]:
        """The procedures ``text`` names: by full name if it uses one, else by a telling word ("neck").

        "What is cervical rhizotomy?" names only cervical rhizotomy, though "cervical" alone would
        also fit cervical neurotomy. Misspellings are corrected first ("percutanous").
        """
        query = question if isinstance(question, Query) else self.index_.query(question)
        return self.procedures_.named_in(query.expanded)

    def topic_words(self, query: Query, procedures: tuple[str, ...]) -> tuple[str, ...]:
        """The question's content words other than those naming ``procedures`` ("what about SDR?" has none)."""
        naming = {w for name in procedures for w in self.synonyms.expand(normalize(name)).split()}
        return tuple(
            w for w in query.content_words if w not in naming and not set(self.synonyms.expand(w).split()[1:]) & naming
        )

    def without_procedure(self, question: str) -> str:
        """``question`` with the names of all procedures taken out, to ask it again about another one."""
        text = f" {normalize(question)} "
        for phrase in sorted(self.procedures_.phrases.values(), key=len, reverse=True):
            text = text.replace(phrase, " ")
        return " ".join(text.split())

    def retrieve(self, question: str | Query, *, procedure: str | None = None, limit: int = 20) -> list[Match]:
        """Matches for ``question``; with ``procedure``, only that procedure's pairs are searched."""
        within = self.procedure_pairs_.get(procedure) if procedure else None
        if procedure and within is None:
            return []
        return self.index_.search(question, limit=limit, within=within)

    def answer_reply(self, match: Match, *, related: list[Match], caveat: str = "") -> Reply:
        """A reply quoting ``match``'s passage, with related questions as suggestions."""
        pair = match.pair
        text = f"{pair.answer}\n\n{caveat}" if caveat else pair.answer
        return Reply(
            kind="answer",
            text=text,
            confidence=match.score,
            sources=(pair.source,),
            matched_question=pair.question,
            suggestions=self.related_questions(pair, related),
            passage=pair.answer,
            pair_id=pair.id,
            topic=pair.topic,
            procedure=pair.procedure,
            tags=pair.tags,
        )

    def related_questions(self, pair: Pair, related: list[Match], *, limit: int = 3) -> tuple[str, ...]:
        """Up to ``limit`` other questions about the same procedure: near matches first, then its neighbours."""
        seen = {normalize(pair.question)}
        out: list[str] = []
        same_doc = [p for p in self.by_document_[pair.source.document] if p.topic != pair.topic]
        candidates = [m.pair for m in related if m.pair.procedure == pair.procedure and m.pair.topic != pair.topic]
        for other in (*candidates, *same_doc):
            key = normalize(other.question)
            if key not in seen and other.topic not in {"general", "summary"}:
                seen.add(key)
                out.append(other.question)
            if len(out) == limit:
                break
        return tuple(out)

    def fallback_reply(self, text: str, *, suggestions: tuple[str, ...] = (), confidence: float = 0.0) -> Reply:
        """The honest "not covered" reply, always with the way to reach the care team."""
        return Reply(
            kind="fallback",
            text=f"{text} {self.settings.contact_line}",
            confidence=min(max(confidence, 0.0), 1.0),
            suggestions=suggestions,
        )


class _ProcedureNames:
    """Finds the procedures a question names, by full name or by a word that tells one apart.

    A word shared by most procedure names ("rhizotomy") does not identify one, so it is not a
    telling word. Questions arrive synonym-expanded, so "neck" finds "cervical". Word → name
    maps keep the look-up proportional to the question, not to the number of procedures.
    """

    def __init__(self, pairs: tuple[Pair, ...], synonyms: Synonyms) -> None:
        names = sorted({p.procedure for p in pairs if p.procedure})
        words = {name: set(synonyms.expand(normalize(name)).split()) - _GENERIC_PROCEDURE_WORDS for name in names}
        counts: dict[str, int] = {}
        for name_words in words.values():
            for word in name_words:
                counts[word] = counts.get(word, 0) + 1
        limit = max(1, len(names) * 2 // 3)
        self.phrases = {name: f" {normalize(name)} " for name in names}
        self.by_word: dict[str, list[str]] = {}
        self.by_telling_word: dict[str, list[str]] = {}
        for name in names:
            for word in normalize(name).split():
                self.by_word.setdefault(word, []).append(name)
            for word in words[name]:
                if counts[word] <= limit:
                    self.by_telling_word.setdefault(word, []).append(name)

    def named_in(self, expanded: str) -> tuple[str, ...]:
        words = set(expanded.split())
        padded = f" {expanded} "
        candidates = {name for word in words for name in self.by_word.get(word, ())}
        full = sorted(name for name in candidates if self.phrases[name] in padded)
        if full:
            longest = max(len(name) for name in full)
            return tuple(name for name in full if len(name) == longest)
        return tuple(sorted({name for word in words for name in self.by_telling_word.get(word, ())}))


def _starters(pairs: tuple[Pair, ...]) -> tuple[str, ...]:
    """A few starter questions, one per common topic, from the pairs themselves (so each has an answer)."""
    out = []
    for topic in _STARTER_TOPICS:
        for pair in pairs:
            if pair.topic == topic and pair.procedure and normalize(pair.procedure) in normalize(pair.question):
                out.append(pair.question)
                break
    return tuple(out)
