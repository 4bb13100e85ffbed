"""One patient's conversation: the order in which a message is handled, and what is remembered.

Every message goes through the same steps, in an order chosen for safety:

1. clean the input (surrogates, control characters, markup) so nothing below can crash on it;
2. **red flags first**, on the whole message however long, before anything else; a message the
   rules let through that the learned safety net (:mod:`chatbot.alarm`) reads as a likely report,
   and a red flag the rules report that it reads as history or a risk, are answered with the
   urgent advice above the answer;
3. a choice among the options of a pending clarification ("2", "the first one", "neck");
4. small talk and requests for a person;
5. retrieval, reading a question that names no procedure as being about the one under discussion;
6. an answer, a clarification, or an honest fallback.

What a conversation remembers (the procedure and topic, the open clarification) is per patient;
the shared :class:`~chatbot.bot.Chatbot` is never changed. Which passage answers a question is
decided by :class:`~chatbot.answerer.Answerer`; this module only turns decisions into replies.
"""

from __future__ import annotations

import dataclasses
import re

from rapidfuzz import fuzz

from .alarm import UNSURE, AlarmModel
from .answerer import Answerer, Candidate, Decision
from .index import Query
from .normalize import STOP_WORDS, clean_input, normalize
from .pairs import with_article
from .reply import Option, Reply
from .rules import fill_template
from .safety import SafetyRules
from .settings import ClinicSettings
from .smalltalk import SmallTalk

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
_ORDINALS = {
    "first": 0, "1st": 0, "one": 0, "second": 1, "2nd": 1, "two": 1, "third": 2, "3rd": 2, "three": 2,
    "fourth": 3, "4th": 3, "four": 3, "last": -1,
}  # fmt: skip
_CHOICE_FILLER = frozenset(
    {"the", "one", "option", "number", "no", "please", "i", "mean", "meant", "that", "a", "about", "is", "it"}
)
_DEFINITION_ASKED = re.compile(r"\b(?:what|whats|who) (?:is|are|s)\b|\btell me about\b|\bexplain\b|\bdefine\b|\bmean")
_QUESTION_WORDS = frozenset("what how why when where who which can could should will would do does are".split())
"""A message with one of these is a new question, not a pick among clarification options."""


class Conversation:
    """A conversation with one patient; create it with :meth:`Chatbot.conversation`.

    Not thread-safe by design: one patient's messages arrive one at a time. ``procedure`` (the
    portal's scope) keeps every answer to that procedure unless the patient names another.
    """

    def __init__(
        self,
        answerer: Answerer,
        *,
        safety: SafetyRules,
        smalltalk: SmallTalk,
        settings: ClinicSettings,
        starters: tuple[str, ...] = (),
        notice: str = "",
        procedure: str | None = None,
        alarm: AlarmModel | None = None,
    ) -> None:
        self.answerer = answerer
        self.safety = safety
        self.alarm = alarm
        self.smalltalk = smalltalk
        self.settings = settings
        self.starters = starters
        self.notice = notice
        self.scope = procedure
        self.procedure: str | None = procedure
        self.topic: str | None = None
        self.topic_question: str | None = None
        self.turns = 0
        self._options: tuple[Candidate, ...] = ()

    def ask(self, message: str | bytes) -> Reply:
        """Reply to one message; never raises for any text a patient can send."""
        reply = self._respond(_as_text(message))
        self.turns += 1
        if self.notice and self.turns == 1:
            reply = dataclasses.replace(reply, notice=self.notice)
        return reply

    def _respond(self, message: str) -> Reply:
        text = _strip_markup(clean_input(message[:SAFETY_SCAN_CHARS])).strip()
        if not normalize(text):
            return self._fallback(
                "Please type a question about your procedure, for example one of these.", suggestions=self.starters
            )
        assessment = self.safety.assess(text)
        if assessment.reported is not None:
            if self.alarm is not None and len(text) <= MAX_MESSAGE_CHARS and self.alarm.doubts(text):
                # Told as history or a worry, not as now: the same urgent advice, above the answer.
                # Only in a message short enough to answer, like those the model learned from.
                reply = self._respond_safely(text)
                return dataclasses.replace(reply, safety_net=self.safety.safety_net(assessment.reported, self.settings))
            self._options = ()
            return self.safety.reply(assessment.reported, self.settings)
        reply = self._respond_safely(text)
        if assessment.asked is not None:
            return dataclasses.replace(reply, safety_net=self.safety.safety_net(assessment.asked, self.settings))
        suspicion = (
            self.alarm.suspect(text, rules=self.safety.names, denied=assessment.denied)
            if self.alarm is not None
            else None
        )
        if suspicion is not None:
            net = (
                self.safety.safety_net_for(suspicion.rule, self.settings)
                if suspicion.rule is not None
                else fill_template(UNSURE, self.settings)
            )
            return dataclasses.replace(reply, safety_net=net)
        return reply

    def _respond_safely(self, text: str) -> Reply:
        """The reply to a message that reports no red-flag symptom."""
        if len(text) > MAX_MESSAGE_CHARS:
            return self._fallback(
                f"That message is too long for me to answer reliably (over {MAX_MESSAGE_CHARS} characters). "
                "Please ask one question in a sentence or two."
            )
        choice = self._choice(text)
        if choice is not None:
            return self._answer(choice, text, reason="the patient chose this option")
        self._options = ()
        intent = self.smalltalk.match(text)
        if intent is not None:
            return self.smalltalk.reply(intent, self.settings)
        if not any(c.isalpha() for c in text):
            return self._fallback(
                "I didn't find a question there. Please type your question in words, for example one of these.",
                suggestions=self.starters,
            )
        query = self.answerer.index.query(text)
        if not _LATIN_LETTER.search(text) or _looks_foreign(query):
            return self._fallback(
                "Sorry, I can only answer questions written in English, and only from the clinic's documents. "
                f"If this is an emergency, call {self.settings.emergency_number} now."
            )
        return self._retrieve(text, query)

    def _retrieve(self, text: str, query: Query) -> Reply:
        """Answer from the documents, or say honestly that they do not answer this.

        A question is about one procedure (the focus) when it names one, or when it names none and
        the conversation (or the portal) is about one. Only the focus procedure's documents may
        answer then: if they do not cover the question, the reply says so and offers the focus
        procedure's most probable questions and the matching questions about other procedures,
        rather than quietly answering about a different one. A question that names no procedure in
        a conversation about none is answered from the most probable passage, which the reply
        names, with the same question about the others as options. A declined question offers the
        questions of its most probable passages (:meth:`Answerer.offers`): the right one is often
        among them.
        """
        answerer = self.answerer
        named = answerer.named(query)
        patients = text
        if named and self.topic_question and _switches_procedure(query) and not answerer.topic_words(query, named):
            text = answerer.without_procedure(self.topic_question)
        focus = named[0] if len(named) == 1 else None if named else self.procedure
        asked = text
        if focus is not None and focus not in named:
            text = f"{text} {focus}"  # "what about recovery?" about the procedure under discussion
        # The procedure under discussion is named, as the question now does in words: the model
        # then weighs "what about recovery?" as it weighs "recovery after cervical rhizotomy?".
        decision = answerer.decide(
            text, focus=focus, named=named or ((focus,) if focus else ()), query=query if text == patients else None
        )
        if decision.action == "answer" and decision.best is not None:
            return self._answer(decision.best, text, decision=decision, named=bool(named) or focus is not None)
        if decision.action == "clarify":
            self._options = decision.alternatives
            return Reply(
                kind="clarify",
                text="Your question could be about more than one procedure. Which one do you mean?",
                confidence=decision.confidence,
                suggestions=tuple(c.pair.question for c in decision.alternatives),
                options=tuple(_option(c, label=c.pair.question) for c in decision.alternatives),
                matched_question=decision.best.pair.question if decision.best else None,
                reason=decision.reason,
            )
        if focus is not None:
            if len(named) == 1:
                self.procedure = named[0]
            # Which other procedures' documents answer the patient's own words (the focus's name,
            # added above, would only pull the focus procedure's passages up).
            others = [
                c
                for c in answerer.decide(asked, named=(), query=query if asked == patients else None).candidates
                if c.pair.procedure != focus and c.probability >= answerer.threshold / 2
            ]
            own = answerer.offers(decision.candidates)
            elsewhere = tuple(dict.fromkeys(c.pair.question for c in others))
            # Two of the focus procedure's own, then another procedure's, so that one is seen when
            # the patient has moved on to another procedure without naming it ("my lower back").
            suggestions = tuple(dict.fromkeys((*own[:2], *elsewhere[:1], *own[2:], *elsewhere[1:])))[:3]
            pinned = bool(set(suggestions) - set(own)) or focus in named or focus == self.scope
            about = f" about {with_article(focus)}" if pinned else ""
            offered = (
                " I can answer related questions, such as the ones below."
                if own
                else " The documents on other procedures answer similar questions, below."
                if suggestions
                else ""
            )
            return self._fallback(_declined(decision, about) + offered, suggestions=suggestions, decision=decision)
        near = answerer.offers(decision.candidates)
        return self._fallback(
            _declined(decision, "") + (" I can answer related questions, such as the ones below." if near else ""),
            suggestions=near,
            decision=decision,
        )

    def _answer(
        self, candidate: Candidate, text: str, *, decision: Decision | None = None, named: bool = True, reason: str = ""
    ) -> Reply:
        """A reply quoting the candidate's passage; it names the procedure when the patient had not."""
        pair = candidate.pair
        self._options = ()
        self.procedure = self.scope or pair.procedure or self.procedure
        self.topic = pair.topic
        self.topic_question = pair.question
        caveat = self.safety.decision_caveat(self.settings) if self.safety.is_personal_decision(text) else ""
        alternatives = decision.alternatives if decision is not None else ()
        about = pair.procedure if not named and pair.procedure else ""
        parts = [f"About {with_article(about)}:"] if about else []
        parts.append(pair.answer)
        if caveat:
            parts.append(caveat)
        related = decision.candidates if decision is not None else ()
        return Reply(
            kind="answer",
            text="\n\n".join(parts),
            confidence=candidate.probability,
            sources=(pair.source,),
            matched_question=pair.question,
            suggestions=self.answerer.related(pair, related),
            passage=pair.answer,
            pair_id=pair.id,
            topic=pair.topic,
            procedure=pair.procedure,
            tags=pair.tags,
            options=tuple(
                _option(c, label=f"The same question about {with_article(c.pair.procedure)}") for c in alternatives
            ),
            about=about,
            reason=reason or (decision.reason if decision is not None else ""),
        )

    def _fallback(self, text: str, *, suggestions: tuple[str, ...] = (), decision: Decision | None = None) -> Reply:
        """The honest "not covered" reply, always with the way to reach the care team."""
        return Reply(
            kind="fallback",
            text=f"{text} {self.settings.contact_line}",
            confidence=min(decision.confidence, self.answerer.threshold) if decision is not None else 0.0,
            suggestions=suggestions,
            reason=decision.reason if decision is not None else "",
        )

    def _choice(self, text: str) -> Candidate | None:
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
        named = set(self.answerer.named(content))
        by_name = [option for option in self._options if option.pair.procedure in named]
        if len(by_name) == 1 and len(words) <= 6:
            return by_name[0]
        scored = []
        for option in self._options:
            label = normalize(f"{option.pair.procedure} {option.pair.question}")
            scored.append((fuzz.token_set_ratio(self.answerer.synonyms.expand(content), label), option))
        scored.sort(key=lambda s: -s[0])
        best_score, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_score >= 80 and best_score - runner_up >= 10 and len(words) <= 6:
            return best
        return None


def _declined(decision: Decision, about: str) -> str:
    """Why a question is not answered, plainly: the documents do not cover it, or (when the best
    passage is more likely right than not, :attr:`Decision.unsure`) no passage surely answers it,
    which is true whether or not they do (their questions are offered below), where "don't
    cover" would be false for most such questions. ``about``: " about <the procedure>" or ""."""
    if decision.unsure:
        return (
            f"I'm sorry, I couldn't find a passage in the clinic's documents{about} that I'm sure answers that, "
            "so I can't answer it reliably."
        )
    return f"I'm sorry, the clinic's documents{about} don't cover that question, so I can't answer it reliably."


def _option(candidate: Candidate, *, label: str) -> Option:
    return Option(label=label, question=candidate.pair.question, procedure=candidate.pair.procedure)


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
