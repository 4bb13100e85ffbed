"""One patient's conversation: the order in which a message is handled, and what is remembered.

Every message goes through the same steps, in an order chosen for safety:

1. clean the input (surrogates, control characters, markup) so nothing below can crash on it;
2. **red flags first**, on the whole message however long, before anything else;
3. a choice among the options of a pending clarification ("2", "the first one", "neck");
4. small talk and requests for a person;
5. retrieval, reading a question that names no procedure as being about the one under discussion;
6. an answer, a clarification, or an honest fallback.

What a conversation remembers (the procedure and topic, the open clarification) is per patient;
the shared :class:`~chatbot.bot.Chatbot` is never changed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from .extract import with_article
from .index import Match, Query
from .normalize import STOP_WORDS, clean_input, normalize, stem
from .reply import Reply
from .topics import GROUPS, asks_for_number, has_figure, question_group

if TYPE_CHECKING:
    from .bot import Chatbot

__all__ = ["MAX_MESSAGE_CHARS", "Conversation"]

MAX_MESSAGE_CHARS = 1000
"""Longest message answered; the chat page limits input to this. Longer text is still safety-checked."""

SAFETY_SCAN_CHARS = 20_000
"""Red flags are looked for in this much of a message; longer text is cut (a story is never that long)."""

_MARKUP = re.compile(
    r"<(script|style)\b[^>]{0,300}>.{0,2000}?</\1\s*>|<[^<>]{0,300}>|&[#\w]{1,10};", re.IGNORECASE | re.DOTALL
)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]{0,200})\]\([^)]{0,500}\)")
_LATIN_LETTER = re.compile(r"[a-zA-Z]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ORDINALS = {
    "first": 0, "1st": 0, "one": 0, "second": 1, "2nd": 1, "two": 1, "third": 2, "3rd": 2, "three": 2,
    "fourth": 3, "4th": 3, "four": 3, "last": -1,
}  # fmt: skip
_EXACT = 0.95
"""A question worded (almost) exactly like a known one is answered, never sent back for clarification."""
_CHOICE_FILLER = frozenset(
    {"the", "one", "option", "number", "no", "please", "i", "mean", "meant", "that", "a", "about", "is", "it"}
)
_DEFINITION_ASKED = re.compile(r"\b(?:what|whats|who) (?:is|are|s)\b|\btell me about\b|\bexplain\b|\bdefine\b|\bmean")
_QUESTION_WORDS = frozenset("what how why when where who which can could should will would do does are".split())
"""A message with one of these is a new question, not a pick among clarification options."""


class Conversation:
    """A conversation with one patient; create it with :meth:`Chatbot.conversation`.

    Not thread-safe by design: one patient's messages arrive one at a time.
    """

    def __init__(self, bot: Chatbot, *, notice: bool = True) -> None:
        self.bot = bot
        self.procedure: str | None = None
        self.topic: str | None = None
        self.topic_question: str | None = None
        self.turns = 0
        self._notice = notice
        self._options: tuple[Match, ...] = ()

    def ask(self, message: str | bytes) -> Reply:
        """Reply to one message; never raises for any text a patient can send."""
        reply = self._respond(_as_text(message))
        self.turns += 1
        if self._notice and self.turns == 1:
            reply = dataclasses.replace(reply, notice=self.bot.notice)
        return reply

    def _respond(self, message: str) -> Reply:
        text = _strip_markup(clean_input(message[:SAFETY_SCAN_CHARS])).strip()
        bot = self.bot
        if not normalize(text):
            return bot.fallback_reply(
                "Please type a question about your procedure, for example one of these.",
                suggestions=bot.starter_questions,
            )
        flag = bot.safety.check(text)
        if flag is not None:
            self._options = ()
            return bot.safety.reply(flag, bot.settings)
        if len(text) > MAX_MESSAGE_CHARS:
            return bot.fallback_reply(
                f"That message is too long for me to answer reliably (over {MAX_MESSAGE_CHARS} characters). "
                "Please ask one question in a sentence or two."
            )
        choice = self._choice(text)
        if choice is not None:
            return self._answer(choice, text)
        self._options = ()
        intent = bot.smalltalk.match(text)
        if intent is not None:
            return bot.smalltalk.reply(intent, bot.settings)
        if not any(c.isalpha() for c in text):
            return bot.fallback_reply(
                "I didn't find a question there. Please type your question in words, for example one of these.",
                suggestions=bot.starter_questions,
            )
        query = bot.index_.query(text)
        if not _LATIN_LETTER.search(text) or _looks_foreign(query):
            return bot.fallback_reply(
                "Sorry, I can only answer questions written in English, and only from the clinic's documents. "
                f"If this is an emergency, call {bot.settings.emergency_number} now."
            )
        return self._retrieve(text, query)

    def _retrieve(self, text: str, query: Query) -> Reply:
        """Answer from the documents, or say honestly that they do not answer this.

        A question is read as being about one procedure (the focus) when it names one, or when it
        names none and the conversation is about one. Only the focus procedure's documents may
        answer then: if they do not cover the question, the reply says so and offers the matching
        questions about other procedures as suggestions, rather than quietly answering about a
        different procedure.

        In a message with a story before its question ("My doctor said I need a cervical
        rhizotomy. What is it?") the question is searched first, with the procedures the story
        names: the story's words ("doctor", "need") would otherwise pull in passages that merely
        share them. The whole message is searched when the question alone finds nothing.
        """
        bot = self.bot
        named = bot.procedures_in(query)
        if named and self.topic_question and _switches_procedure(query) and not bot.topic_words(query, named):
            query = bot.index_.query(bot.without_procedure(self.topic_question))
        asked = _question_part(text)
        if asked != text:
            reply = self._search(text, bot.index_.query(asked), named or bot.procedures_in(asked))
            if reply.kind != "fallback":
                return reply
        reply = self._search(text, query, named)
        if reply.kind == "fallback" and len(named) == 1:
            self.procedure = named[0]
        return reply

    def _search(self, text: str, query: Query, named: tuple[str, ...]) -> Reply:
        bot = self.bot
        group = question_group(bot.without_procedure(query.expanded))
        figure = asks_for_number(query.text)
        focus = named[0] if len(named) == 1 else None if named else self.procedure
        if focus is not None:
            asked = {stem(w) for w in bot.topic_words(query, (focus,))}
            if focus not in bot.procedures_in(query):
                query = bot.index_.query(f"{query.text} {focus}")
            searched = [m for m in bot.retrieve(query, procedure=focus) if not asked or asked & m.found]
            own = _fitting(searched, group, bot.threshold, figure=figure)
            if own:
                return self._answer(own[0], text, related=own[1:])
            others = [
                m
                for m in _fitting(bot.retrieve(query), group, bot.threshold, figure=figure)
                if m.pair.procedure != focus
            ]
            suggestions = tuple(dict.fromkeys(m.pair.question for m in others))[:3]
            about = f" about {with_article(focus)}" if suggestions or focus in named else ""
            return bot.fallback_reply(
                f"I'm sorry, the clinic's documents{about} don't cover that question, so I can't answer it reliably."
                + (" The documents on other procedures answer similar questions, below." if suggestions else ""),
                suggestions=suggestions,
                confidence=min(searched[0].score if searched else 0.0, bot.threshold - 0.01),
            )
        matches = [m for m in bot.retrieve(query) if not named or m.pair.procedure in named]
        fitting = _fitting(matches, group, bot.threshold, figure=figure)
        if not fitting:
            best_score = matches[0].score if matches else 0.0
            near = tuple(m.pair.question for m in matches[:3] if m.score >= bot.threshold * 0.6)
            return bot.fallback_reply(
                "I'm sorry, the clinic's documents don't cover that question, so I can't answer it reliably."
                + (" I can answer related questions, such as the ones below." if near else ""),
                suggestions=near,
                confidence=min(best_score, bot.threshold - 0.01),
            )
        best = fitting[0]
        if best.fuzzy < _EXACT:
            options = _distinct_procedures(fitting, best, bot.clarify_margin, bot.order_)
            if len(options) > 1:
                self._options = tuple(options)
                listing = "\n".join(f"{i}. {m.pair.question}" for i, m in enumerate(options, start=1))
                return Reply(
                    kind="clarify",
                    text="Your question could be about more than one procedure. Which one do you mean?\n" + listing,
                    confidence=best.score,
                    suggestions=tuple(m.pair.question for m in options),
                    matched_question=best.pair.question,
                )
        return self._answer(best, text, related=fitting[1:])

    def _answer(self, match: Match, text: str, *, related: list[Match] | None = None) -> Reply:
        bot = self.bot
        self._options = ()
        self.procedure = match.pair.procedure or self.procedure
        self.topic = match.pair.topic
        self.topic_question = match.pair.question
        caveat = bot.safety.decision_caveat(bot.settings) if bot.safety.is_personal_decision(text) else ""
        return bot.answer_reply(match, related=related or [], caveat=caveat)

    def _choice(self, text: str) -> Match | None:
        """The clarification option a message picks, by number, ordinal or words; ``None`` if none."""
        if not self._options:
            return None
        words = [w for w in normalize(text).split() if w not in _CHOICE_FILLER]
        if len(words) == 1 and words[0].isdigit():
            number = int(words[0])
            return self._options[number - 1] if 1 <= number <= len(self._options) else None
        if len(words) <= 2:
            for word in words:
                if word in _ORDINALS:
                    return self._options[_ORDINALS[word]] if _ORDINALS[word] < len(self._options) else None
        content = " ".join(w for w in words if w not in STOP_WORDS)
        if not content:
            return None
        if _QUESTION_WORDS & set(words):
            return None
        named = set(self.bot.procedures_in(content))
        by_name = [option for option in self._options if option.pair.procedure in named]
        if len(by_name) == 1 and len(words) <= 6:
            return by_name[0]
        scored = []
        for option in self._options:
            label = normalize(f"{option.pair.procedure} {option.pair.question}")
            scored.append((fuzz.token_set_ratio(self.bot.synonyms.expand(content), label), option))
        scored.sort(key=lambda s: -s[0])
        best_score, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_score >= 80 and best_score - runner_up >= 10 and len(words) <= 6:
            return best
        return None


def _fitting(matches: list[Match], group: str | None, threshold: float, *, figure: bool = False) -> list[Match]:
    """The matches good enough to answer: above ``threshold`` and about the kind of thing asked.

    A question about risks is never answered with a passage on benefits that happens to mention
    "risk"; a pair with no topic (written by clinic staff) fits any question. With ``figure``, the
    question asks for a rate or a number, and only a passage that states one answers it.
    """
    return [
        m
        for m in matches
        if m.score >= threshold
        and (group is None or not m.pair.topic or GROUPS.get(m.pair.topic, group) == group)
        and (not figure or has_figure(m.pair.answer))
    ]


def _question_part(text: str) -> str:
    """The sentences of a message that ask something, without the story before them.

    "My doctor said I need a cervical rhizotomy. What is it?" → "What is it?"; the procedure it
    names is still read from the whole message.
    """
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    asked = [s for s in sentences if s.endswith("?")] or sentences[-1:]
    return " ".join(asked) if asked else text


def _switches_procedure(query: Query) -> bool:
    """Whether a message that only names a procedure asks the last question again about it.

    "What about percutaneous?" and "and for SDR" do; "What is percutaneous rhizotomy?" and
    "tell me about SDR" ask for the procedure itself.
    """
    return not _DEFINITION_ASKED.search(query.text)


def _as_text(message: str | bytes | None) -> str:
    """Text from whatever a client sent: bytes are decoded leniently, ``None`` is empty."""
    if message is None:
        return ""
    if isinstance(message, bytes):
        return message[: SAFETY_SCAN_CHARS * 4].decode("utf-8", errors="replace")
    if not isinstance(message, str):
        raise TypeError(f"a message must be text, got {type(message).__name__}")
    return message


def _strip_markup(text: str) -> str:
    """HTML tags and Markdown links reduced to their words, so markup neither matches nor renders."""
    return _MARKUP.sub(" ", _MARKDOWN_LINK.sub(r" \1 ", text))


def _looks_foreign(query: Query) -> bool:
    """A message of several words with almost no English function words, mostly unknown to the bot.

    English questions of four words or more nearly always contain two or more of "I", "can",
    "the", "is" …; a German or Spanish one may share one ("an", "de") by accident.
    """
    words = query.text.split()
    if len(words) < 3:
        return False
    english = sum(1 for w in words if w in STOP_WORDS)
    return english / len(words) < 0.15 and query.coverage < 0.5


def _distinct_procedures(matches: list[Match], best: Match, margin: float, order: dict[str, int]) -> list[Match]:
    """One match per procedure that answers the same thing as ``best``, best procedure first (at most four).

    Same thing means the same topic, every key word of the question that ``best`` contains, and a
    score within ``margin``: "recovery" asked with no procedure is equally about every
    procedure's recovery, but "fluoroscopy" is only in some documents. Within a procedure the
    option is its first passage on the topic (its main one), not a side section that scored higher.
    """
    chosen: dict[str, Match] = {}
    for match in matches:
        if match.pair.topic != best.pair.topic or not match.found >= best.found or match.score < best.score - margin:
            continue
        current = chosen.get(match.pair.procedure)
        if current is None or order[match.pair.id] < order[current.pair.id]:
            chosen[match.pair.procedure] = match
    return list(chosen.values())[:4]
