"""The clinic's own checks: questions patients ask, and what a correct reply must contain.

A checks file (``faq/checks.yaml``) lives next to the knowledge base. Each check is a question
and what the reply must be: the facts a correct answer states (so a check survives a reworded
document or a new matcher, unlike a pair id), optionally the document it must quote or the pair it
must be, or a reply kind (``fallback`` for a question the documents do not answer, ``emergency``
for a red flag). ``python -m chatbot check`` runs them and prints a table; staff run it after every
change to the documents, and the project's test suite runs the shipped file the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .bot import Chatbot
from .errors import KnowledgeBaseError
from .normalize import normalize
from .reply import KINDS, Reply
from .yamlfile import LocatedDict, check_keys, read_yaml, require_str, str_list

__all__ = ["CHECK_FIELDS", "Check", "Outcome", "format_table", "read_checks", "run_checks"]

CHECK_FIELDS = ("question", "expect", "facts", "absent", "source", "pair", "follows", "note")
"""Every field a check accepts (documented in the header of ``faq/checks.yaml``)."""


@dataclass(frozen=True)
class Check:
    """One question and what its reply must be.

    ``facts`` holds, per fact, the acceptable wordings: the reply must contain one wording of every
    fact. ``follows`` are earlier messages of the same conversation ("tell me about cervical
    rhizotomy" before "what are the risks?").
    """

    question: str
    expect: str = "answer"
    facts: tuple[tuple[str, ...], ...] = ()
    absent: tuple[str, ...] = ()
    source: str = ""
    pairs: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    """A check and what happened: the reply, and why it failed ("" when it passed)."""

    check: Check
    reply: Reply
    problem: str

    @property
    def passed(self) -> bool:
        return not self.problem


def read_checks(path: str | Path) -> list[Check]:
    """Parse and validate a checks file; mistakes are ``file:line: reason``."""
    path = Path(path)
    data = read_yaml(path)
    top = check_keys(data, path, what="checks file", required=("checks",), line=1)
    entries = top["checks"]
    if not isinstance(entries, list):
        raise KnowledgeBaseError(path, top.line_of("checks"), "'checks' must be a list of checks")
    checks = []
    for entry in entries:
        line = getattr(entry, "line", top.line_of("checks"))
        checks.append(_check(entry, path, line))
    return checks


def _check(entry: object, path: Path, line: int) -> Check:
    entry = check_keys(entry, path, what="check", required=("question",), optional=CHECK_FIELDS, line=line)
    assert isinstance(entry, LocatedDict)
    expect = require_str(entry, "expect", path, what="check", default="answer")
    if expect not in KINDS:
        raise KnowledgeBaseError(
            path, entry.line_of("expect"), f"unknown expect {expect!r} (expected one of: {', '.join(KINDS)})"
        )
    facts = _facts(entry, path)
    if expect == "answer" and not facts and "source" not in entry and "pair" not in entry:
        raise KnowledgeBaseError(
            path, entry.line, "an answer check needs 'facts' (or 'source' or 'pair') to tell a right answer"
        )
    return Check(
        question=require_str(entry, "question", path, what="check"),
        expect=expect,
        facts=facts,
        absent=str_list(entry, "absent", path, what="check"),
        source=require_str(entry, "source", path, what="check") if "source" in entry else "",
        pairs=str_list(entry, "pair", path, what="check"),
        follows=str_list(entry, "follows", path, what="check"),
        note=str(entry.get("note") or ""),
        line=entry.line,
    )


def _facts(entry: LocatedDict, path: Path) -> tuple[tuple[str, ...], ...]:
    """``facts: [a, [b, c]]``: fact a, and fact b-or-c (alternative wordings of one fact)."""
    value = entry.get("facts")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise KnowledgeBaseError(path, entry.line_of("facts"), "'facts' must be a list of texts")
    lines = getattr(value, "item_lines", None) or [entry.line_of("facts")] * len(value)
    out = []
    for item, line in zip(value, lines, strict=True):
        wordings = item if isinstance(item, list) else [item]
        if not wordings or any(
            isinstance(w, bool) or not isinstance(w, (str, int, float)) or not str(w).strip() for w in wordings
        ):
            raise KnowledgeBaseError(path, line, "each fact must be a text, or a list of alternative texts")
        out.append(tuple(str(w).strip() for w in wordings))
    return tuple(out)


def run_checks(bot: Chatbot, checks: Iterable[Check]) -> list[Outcome]:
    """Ask every check's question (after its ``follows`` messages, in one conversation) and judge the reply."""
    outcomes = []
    for check in checks:
        conversation = bot.conversation()
        for message in check.follows:
            conversation.ask(message)
        reply = conversation.ask(check.question)
        outcomes.append(Outcome(check, reply, _problem(check, reply)))
    return outcomes


def _problem(check: Check, reply: Reply) -> str:
    if reply.kind != check.expect:
        return f"expected {check.expect}, got {reply.kind}"
    text = normalize(reply.text)
    missing = [wordings[0] for wordings in check.facts if not any(normalize(w) in text for w in wordings)]
    if missing:
        return "missing " + "; ".join(repr(m) for m in missing)
    present = [a for a in check.absent if normalize(a) in text]
    if present:
        return "should not say " + "; ".join(repr(p) for p in present)
    if check.source and check.source not in {s.document for s in reply.sources}:
        got = ", ".join(s.document for s in reply.sources) or "no source"
        return f"expected source {check.source}, got {got}"
    if check.pairs and reply.pair_id not in check.pairs:
        return f"expected pair {' or '.join(check.pairs)}, got {reply.pair_id}"
    return ""


def format_table(outcomes: Sequence[Outcome], *, width: int = 60) -> str:
    """A plain-text table, one row per check, and a summary line; failures say why."""
    rows = [("#", "line", "result", "expected", "got", "question")]
    for number, outcome in enumerate(outcomes, start=1):
        got = outcome.reply.kind
        if outcome.reply.sources:
            got += f" ({outcome.reply.sources[0].document or outcome.reply.sources[0].title})"
        question = outcome.check.question
        if len(question) > width:
            question = question[: width - 1] + "…"
        result = "ok" if outcome.passed else "FAIL"
        rows.append((str(number), str(outcome.check.line), result, outcome.check.expect, got, question))
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1] for row in rows
    ]
    failed = [o for o in outcomes if not o.passed]
    if failed:
        lines.append("")
        lines.extend(f"line {o.check.line}: {o.check.question!r}: {o.problem}" for o in failed)
    lines.append("")
    lines.append(f"{len(outcomes) - len(failed)} of {len(outcomes)} checks passed")
    return "\n".join(line.rstrip() for line in lines)
