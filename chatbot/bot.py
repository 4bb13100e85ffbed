"""The public entry point: ``Chatbot.load()`` then ``bot.ask(question)`` or ``bot.conversation()``.

A ``Chatbot`` holds the knowledge base and its fitted index and never changes after loading, so
one instance serves every chat session and thread of a server. Everything that belongs to one
patient (the procedure being discussed, a pending clarification) lives in a
:class:`~chatbot.conversation.Conversation`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .alarm import DEFAULT_ALARM, AlarmModel
from .answerer import Answerer, example_index
from .approval import read_approvals
from .conversation import MAX_MESSAGE_CHARS, Conversation
from .errors import IndexMismatchError, KnowledgeBaseError
from .examplefile import read_example_vectors
from .examples import Example, Examples, read_examples
from .index import Index, IndexState
from .indexfile import read_index
from .lexicon import RealWords
from .model import DEFAULT_MODEL, AnswerModel
from .normalize import normalize
from .pairs import Pair, read_pairs
from .paths import DEFAULT_FAQ, KnowledgeBasePaths, read_support
from .reply import Reply
from .safety import SafetyRules
from .settings import ClinicSettings
from .smalltalk import SmallTalk
from .staleness import is_stale
from .synonyms import Synonyms

__all__ = ["MAX_MESSAGE_CHARS", "Chatbot", "Conversation"]

_log = logging.getLogger(__name__)

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
    model:
        The calibrated answer model (default: ``chatbot/model.json``).
    alarm:
        The learned red-flag safety net for what the safety rules miss (default:
        ``chatbot/alarm.npz``; see :mod:`chatbot.alarm`).
    threshold:
        Minimum probability for answering (default: the model's, chosen on held-out questions);
        below it the reply is a fallback that says the documents do not cover the question.
    clarify_margin:
        When the best passages of two procedures are within this much probability of each other
        and the patient has not said which procedure, the bot asks which one is meant. The
        default, 0, asks only on an exact tie: otherwise it answers from the best passage, names
        its procedure, and offers the others as options (asking first bounced most plain
        questions back to the patient).
    examples:
        Labelled patient questions (:mod:`chatbot.examples`), or an :class:`Examples` already
        vectorised in this index's space by the same preparation (what ``load`` reads from
        ``examples.npz``).
    index_state:
        The index learned from these pairs and synonyms earlier (the build's ``index.npz``, or
        another bot's); restored without scikit-learn. ``None`` fits the index here, which imports
        scikit-learn (seconds). State learned from other texts raises :class:`IndexMismatchError`.
    """

    def __init__(
        self,
        pairs: Iterable[Pair],
        *,
        settings: ClinicSettings | None = None,
        synonyms: Synonyms | None = None,
        safety: SafetyRules | None = None,
        smalltalk: SmallTalk | None = None,
        model: AnswerModel | None = None,
        alarm: AlarmModel | None = None,
        threshold: float | None = None,
        clarify_margin: float = 0.0,
        examples: Sequence[Example] | Examples = (),
        index_state: IndexState | None = None,
    ) -> None:
        pairs = tuple(pairs)
        settings = settings or ClinicSettings()
        synonyms = synonyms or Synonyms()
        index = Index(synonyms=synonyms, real_words=RealWords())
        index = index.fit(pairs) if index_state is None else index.restore(pairs, index_state)
        model = model or AnswerModel.from_file(DEFAULT_MODEL)
        values: dict[str, Any] = {
            "pairs": pairs,
            "settings": settings,
            "synonyms": synonyms,
            "safety": safety or SafetyRules.from_file(KnowledgeBasePaths.at().safety),
            "smalltalk": smalltalk or SmallTalk.from_file(KnowledgeBasePaths.at().smalltalk),
            "model": model,
            "alarm": (alarm or AlarmModel.from_file(DEFAULT_ALARM)).knowing(index.words_),
            "index_": index,
            "examples": examples.examples if isinstance(examples, Examples) else tuple(examples),
            "answerer_": Answerer(
                pairs,
                index=index,
                synonyms=synonyms,
                model=model,
                threshold=threshold,
                clarify_margin=clarify_margin,
                examples=_example_index(examples, index, synonyms),
            ),
            "notice": (
                f"I share general information from {settings.name}'s patient documents; it is not medical advice. "
                f"In an emergency, call {settings.emergency_number}."
            ),
        }
        values["starter_questions"] = settings.starter_questions or _starters(pairs)
        values["_by_id"] = {p.id: p for p in pairs}
        for name, value in values.items():
            object.__setattr__(self, name, MappingProxyType(value) if isinstance(value, dict) else value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Chatbot is immutable (cannot set {name!r}); load a new one instead")

    @classmethod
    def load(cls, path: str | Path | None = None, **options: Any) -> Chatbot:
        """Load the knowledge base in folder ``path`` (default: the shipped ``faq/``).

        The index is restored from the state the build stored in ``index.npz``, which must have
        been learned from this ``pairs.yaml`` and ``synonyms.yaml``: a missing, damaged or
        mismatched one raises :class:`KnowledgeBaseError` naming it (run the build). The labelled
        examples are read from ``examples.yaml`` unless ``examples`` is given; the build's
        ``examples.npz`` holds them read and vectorised, and is used while it matches. The answer
        threshold is ``threshold`` if given, else the clinic's ``answer_threshold`` (``clinic.yaml``),
        else the model's.
        """
        paths = KnowledgeBasePaths.at(path)
        if not paths.root.is_dir():
            raise KnowledgeBaseError(paths.root, None, "knowledge-base folder not found")
        option = "" if paths.root == DEFAULT_FAQ else f" --faq {paths.root}"
        for built, what in ((paths.pairs, "pairs file"), (paths.index, "index")):
            if not built.exists():
                raise KnowledgeBaseError(built, None, f"no built {what}: run `python -m chatbot{option} build` first")
        if paths.documents.is_dir() and is_stale(paths):
            _log.warning(
                "%s was not built from the current documents and curated.yaml: run `python -m chatbot build`",
                paths.pairs,
            )
        pairs = read_pairs(paths.pairs)
        support = read_support(paths)
        if not support.settings.demonstration:
            read_approvals(paths.approvals).require(p.source.document for p in pairs if p.source.document)
        state = read_index(paths.index)
        if "examples" not in options:
            stored = read_example_vectors(paths, state.fingerprint, pairs)
            found = stored if stored is not None else read_examples(paths.examples, pairs)
            options["examples"] = found
            labelled = found.examples if isinstance(found, Examples) else found
            if labelled and all(example.pairs for example in labelled):
                _log.warning(
                    "%s has no questions the documents do not answer (pairs: []); the answer model learned from "
                    "them and answers other procedures' questions too readily without: run `python -m chatbot train`",
                    paths.examples,
                )
        if "threshold" not in options and support.settings.answer_threshold is not None:
            options["threshold"] = support.settings.answer_threshold  # the clinic's choice (clinic.yaml)
        try:
            return cls(
                pairs,
                settings=support.settings,
                synonyms=support.synonyms,
                safety=support.safety,
                smalltalk=support.smalltalk,
                index_state=state,
                **options,
            )
        except IndexMismatchError:
            reason = (
                f"was built from other pairs or synonyms than {paths.pairs.name} and {paths.synonyms.name}: "
                f"run `python -m chatbot{option} build`"
            )
            raise KnowledgeBaseError(paths.index, None, reason) from None

    def ask(self, question: str | bytes) -> Reply:
        """Answer one question on its own, with no conversation history and no notice."""
        return self.conversation(notice=False).ask(question)

    def warm_up(self) -> None:
        """Read now what answering otherwise reads on a first question: word lists, frequency tables, the tokenizer.

        They are read once per process and shared; a server calls this after loading so its first
        patient does not wait for them. Asks questions with a misspelt knowledge-base word and a
        misspelt everyday word, and reports red flags with a denial, which reach every lazily read
        or compiled table; records nothing.
        """
        warm = (
            "how long does the releif last",
            "can I drive tommorow",
            "I have a fever and pus at the needle site and my legs are not numb",
        )
        for question in (*self.starter_questions[:1], *warm):
            self.ask(question)
        # A question with a word the build did not store the token ids of reads the tokenizer
        # (about a seventh of a second, once per process): read it now, not for a patient.
        _ = self.answerer_.embedder.tokenizer

    def conversation(self, *, procedure: str | None = None, notice: bool = True) -> Conversation:
        """A new conversation for one patient: it remembers the procedure and pending clarifications.

        ``procedure`` scopes the whole conversation to one procedure (a portal that knows the
        patient's passes it; default: ``clinic.yaml``'s ``procedure``). A name the knowledge base
        does not know raises ``ValueError``.
        """
        scope = procedure or self.settings.procedure or None
        resolved = self.answerer_.resolve(scope) if scope else None
        if scope and resolved is None:
            known = ", ".join(self.answerer_.procedures.names)
            raise ValueError(f"unknown procedure {scope!r}; the knowledge base covers: {known}")
        return Conversation(
            self.answerer_,
            safety=self.safety,
            smalltalk=self.smalltalk,
            settings=self.settings,
            starters=self.starter_questions,
            notice=self.notice if notice else "",
            procedure=resolved,
            alarm=self.alarm,
        )

    @property
    def threshold(self) -> float:
        """The probability above which the bot answers."""
        return self.answerer_.threshold

    @property
    def procedures(self) -> tuple[str, ...]:
        """The procedures the knowledge base describes."""
        return self.answerer_.procedures.names

    def with_model(
        self, model: AnswerModel, *, threshold: float | None = None, clarify_margin: float | None = None
    ) -> Chatbot:
        """The same knowledge base answered by another model or policy (for training and measuring it)."""
        return Chatbot(
            self.pairs,
            settings=self.settings,
            synonyms=self.synonyms,
            safety=self.safety,
            smalltalk=self.smalltalk,
            model=model,
            alarm=self.alarm,
            threshold=threshold,
            clarify_margin=self.answerer_.clarify_margin if clarify_margin is None else clarify_margin,
            examples=self.examples,
            index_state=self.index_.state_,
        )

    def pair(self, pair_id: str) -> Pair | None:
        """The pair with id ``pair_id``, or ``None``."""
        return self._by_id.get(pair_id)


def _example_index(examples: Sequence[Example] | Examples, index: Index, synonyms: Synonyms) -> Examples | None:
    """The examples in ``index``'s vector space: vectorised here unless they come vectorised (``examples.npz``)."""
    if isinstance(examples, Examples):
        return examples if examples.examples else None
    return example_index(examples, index, synonyms) if examples else None


def _starters(pairs: tuple[Pair, ...]) -> tuple[str, ...]:
    """A few starter questions, one per common topic, from the pairs themselves (so each has an answer)."""
    out = []
    for topic in _STARTER_TOPICS:
        for pair in pairs:
            if pair.topic == topic and pair.procedure and normalize(pair.procedure) in normalize(pair.question):
                out.append(pair.question)
                break
    return tuple(out)
