"""Small talk ("hi", "thanks", "are you a doctor?") and hand-off requests ("can someone call me?").

Neither belongs in the document search: "hi" would retrieve some random passage, and a patient who
asks for a person deserves the clinic's phone number, not a paragraph about recovery. The patterns
and reply wording live in ``faq/smalltalk.yaml`` so clinic staff can change them.

The two kinds match differently, on purpose. Small talk must be the *whole* message, so "hi, how
long does relief last?" still reaches the documents. A hand-off request may sit inside a longer
message ("I'd like to book an appointment to discuss my neck pain"), because the patient then
needs the clinic whatever else they wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import KnowledgeBaseError
from .normalize import normalize
from .reply import Reply
from .rules import check_template, fill_template, read_named_items, read_patterns, recheck_patterns, word_pattern
from .settings import ClinicSettings
from .yamlfile import check_keys, read_yaml, require_str

__all__ = ["Intent", "IntentRule", "SmallTalk"]

MAX_SMALLTALK_CHARS = 160
"""Longer messages are never pure small talk; the limit also bounds the work of :meth:`SmallTalk.match`."""

_KINDS = ("smalltalk", "handoff")
_INTENT_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Intent:
    """What a non-question message is for: small talk, or a request to reach the clinic."""

    name: str
    kind: Literal["smalltalk", "handoff"]


@dataclass(frozen=True)
class IntentRule:
    """An intent with its compiled patterns and reply template."""

    intent: Intent
    pattern: re.Pattern[str]
    reply: str
    unless: re.Pattern[str] | None = None

    def excluded(self, words: str) -> bool:
        """Whether an ``unless`` pattern keeps this intent from matching ``words``."""
        return self.unless is not None and self.unless.search(words) is not None


class SmallTalk:
    """Recognises small talk and hand-off requests and writes their replies.

    Parameters
    ----------
    rules:
        intents in priority order. Hand-off patterns are searched for anywhere in a message;
        small-talk patterns must match whole words starting at a given position (see :meth:`match`).
    filler:
        words that may surround small talk ("hi there", "ok so thanks"), or ``None``.
    """

    def __init__(self, rules: tuple[IntentRule, ...], filler: re.Pattern[str] | None = None) -> None:
        self.rules = tuple(rules)
        self.filler = filler
        self._by_name = {rule.intent.name: rule for rule in self.rules}

    @classmethod
    def from_file(cls, path: str | Path) -> SmallTalk:
        """Read and validate ``path``; any mistake is a :class:`KnowledgeBaseError` with its line."""
        path = Path(path)
        data = check_keys(read_yaml(path), path, what="small talk", required=("intents",), optional=("filler",), line=1)
        rules = read_named_items(
            data,
            "intents",
            path,
            what="intent",
            read=lambda item, line: _read_intent(item, path, line),
            name_of=lambda rule: rule.intent.name,
        )
        filler = None
        if "filler" in data:
            filler = _compile(read_patterns(data, "filler", path, what="small talk"), _cover_pattern)
            if filler.fullmatch(""):
                recheck_patterns(data, "filler", path, what="small talk")  # names the pattern at fault
        return cls(rules, filler)

    def match(self, text: str) -> Intent | None:
        """The intent of ``text``, or ``None`` if it is (or contains) a question for the documents.

        Hand-off intents are tried first, in file order, anywhere in the message. Otherwise the
        message must be covered, word for word, by small-talk patterns and filler words; of the
        intents used in that cover, the one listed first in the file wins ("hi, are you a doctor?"
        is the doctor intent, not a greeting).
        """
        words = normalize(text)
        if not words:
            return None
        for rule in self.rules:
            if rule.intent.kind == "handoff" and rule.pattern.search(words) and not rule.excluded(words):
                return rule.intent
        if len(words) > MAX_SMALLTALK_CHARS:
            return None
        used = self._cover(words)
        return next((rule.intent for rule in self.rules if rule.intent.name in used), None)

    def reply(self, intent: Intent, settings: ClinicSettings) -> Reply:
        """The reply for ``intent``, with this clinic's details filled in."""
        rule = self._by_name.get(intent.name)
        if rule is None:
            raise ValueError(f"no small-talk intent named {intent.name!r}")
        text = fill_template(rule.reply, settings)
        return Reply(kind=intent.kind, text=text, confidence=1.0, tags=(intent.name,))

    def _cover(self, words: str) -> set[str]:
        """Names of the small-talk intents on some way of covering all of ``words``.

        Each pattern can cover a run of whole words; a dynamic programme over word positions finds
        which runs chain from the first word to the last. Trying every pattern at every position
        costs (words × intents), which the length limit keeps tiny, and it cannot backtrack
        exponentially the way one big ``^(?:a|b|...)+$`` expression could.
        """
        units: list[tuple[str | None, re.Pattern[str]]] = [
            (rule.intent.name, rule.pattern)
            for rule in self.rules
            if rule.intent.kind == "smalltalk" and not rule.excluded(words)
        ]
        if self.filler is not None:
            units.append((None, self.filler))
        end = len(words)
        starts = [0, *(i + 1 for i, char in enumerate(words) if char == " ")]
        edges: dict[int, list[tuple[int, str | None]]] = {}
        for pos in starts:
            for name, pattern in units:
                found = pattern.match(words, pos)
                if found is not None and found.end() > pos:
                    edges.setdefault(pos, []).append((min(found.end() + 1, end), name))
        reachable = {0}
        for pos in starts:
            if pos in reachable:
                reachable.update(target for target, _ in edges.get(pos, ()))
        finishing = {end}
        for pos in reversed(starts):
            if any(target in finishing for target, _ in edges.get(pos, ())):
                finishing.add(pos)
        if 0 not in finishing:
            return set()
        return {
            name
            for pos in starts
            if pos in reachable
            for target, name in edges.get(pos, ())
            if name is not None and target in finishing
        }


def _cover_pattern(pattern: str) -> str:
    """``pattern`` anchored where :meth:`SmallTalk._cover` tries it and made to end at a word end."""
    return rf"(?:{pattern})(?= |$)"


def _compile(patterns: tuple[str, ...], wrap: Any) -> re.Pattern[str]:
    return re.compile(wrap("|".join(f"(?:{p})" for p in patterns)))


def _read_intent(item: Any, path: Path, line: int) -> IntentRule:
    name = item.get("name") if isinstance(item, dict) else None
    what = f"intent {name!r}" if isinstance(name, str) else "intent"
    data = check_keys(
        item, path, what=what, required=("name", "kind", "patterns", "reply"), optional=("unless",), line=line
    )
    name = require_str(data, "name", path, what=what)
    if not _INTENT_NAME.fullmatch(name):
        raise KnowledgeBaseError(
            path, data.line_of("name"), f"intent name {name!r} must be lower-case letters, digits and _"
        )
    kind = require_str(data, "kind", path, what=what)
    if kind not in _KINDS:
        raise KnowledgeBaseError(
            path, data.line_of("kind"), f"'kind' in {what} must be smalltalk or handoff, not {kind!r}"
        )
    wrap = word_pattern if kind == "handoff" else _cover_pattern
    keys = ("patterns", "unless") if "unless" in data else ("patterns",)
    try:
        pattern = _compile(read_patterns(data, "patterns", path, what=what), wrap)
        unless = _compile(read_patterns(data, "unless", path, what=what), word_pattern) if "unless" in data else None
    except re.error as exc:
        for key in keys:  # a pattern that is bad on its own is named (see read_patterns)
            recheck_patterns(data, key, path, what=what)
        raise KnowledgeBaseError(path, data.line, f"the patterns of {what} do not combine: {exc.msg}") from None
    if pattern.fullmatch("") or (unless is not None and unless.fullmatch("")):
        for key in keys:
            recheck_patterns(data, key, path, what=what)
    return IntentRule(
        intent=Intent(name, kind),  # type: ignore[arg-type]  # checked just above
        pattern=pattern,
        reply=check_template(data, "reply", path, what=what),
        unless=unless,
    )
