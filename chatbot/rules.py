"""Shared by the staff-editable rule files (safety and small talk): word patterns and reply templates.

Both files are edited by clinic staff, not programmers, so every pattern and template is checked
when the bot loads and a mistake is reported as ``file:line: reason``, never as a crash while a
patient is waiting for an emergency reply.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .errors import KnowledgeBaseError
from .settings import ClinicSettings
from .yamlfile import LocatedDict, require_str, str_list

__all__ = [
    "PLACEHOLDERS",
    "check_template",
    "fill_template",
    "read_named_items",
    "read_patterns",
    "recheck_patterns",
    "word_pattern",
]

T = TypeVar("T")

PLACEHOLDERS: tuple[str, ...] = (
    "emergency_number",
    "urgent_phone",
    "phone",
    "hours",
    "name",
    "crisis_line",
    "contact_line",
)
"""Clinic details a reply template may use; anything else is a typo that would crash at reply time."""


_APOSTROPHES = ("'", "’", "`", "´")
_CODE_IN_PATTERN = re.compile(r"\\N\{[^}]*\}|\\.|\(\?P[<=]\w+[>)]")
"""Escapes and group names, where capital letters are regex syntax (``\\W``), not text to match."""


def word_pattern(pattern: str) -> str:
    """``pattern`` made to match whole words only, so "fever" does not fire inside "feverfew"."""
    return rf"(?<!\w)(?:{pattern})(?!\w)"


_REFERS_ELSEWHERE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?#")
"""Back-references, conditionals and comments: what may compile inside a combination and not alone."""

_ESCAPE_OR_CLASS = re.compile(r"\\.|\[\^?+\]?+(?:\\.|[^\\\]])*\]", re.DOTALL)
"""An escape, or a character class with what is inside it (see :func:`_stands_alone`)."""

_NOT_PARENTHESIS = re.compile(r"[^()]+")


def read_patterns(mapping: LocatedDict, key: str, path: Path, *, what: str) -> tuple[str, ...]:
    """The regular expressions at ``mapping[key]``, each checked so a mistake points at its own line.

    Patterns are matched against normalised text, so an apostrophe can never match and a pattern
    that matches empty text would fire on every message; both are load-time errors.

    Compiling every pattern here as well as in the combined expression its reader builds doubled
    the cost of reading the rule files: a tenth of a second of every start, a command-line
    question included. So a pattern whose groups and brackets are balanced (and which refers to
    no other group) is compiled only in that combination, which fails or matches empty text
    exactly when one of its patterns would alone; the reader then calls :func:`recheck_patterns`,
    which compiles each pattern to name the line at fault. Any other pattern is compiled here.
    """
    patterns = str_list(mapping, key, path, what=what)
    if not patterns:
        raise KnowledgeBaseError(path, mapping.line_of(key), f"{key!r} in {what} is empty")
    for pattern, line in zip(patterns, _lines(mapping, key, patterns), strict=True):
        if not (_stands_alone(pattern) and _written_for_normalised_text(pattern)):
            _check_pattern(pattern, line, key, path, what=what)
    return patterns


def recheck_patterns(mapping: LocatedDict, key: str, path: Path, *, what: str) -> None:
    """Compile each pattern at ``mapping[key]`` on its own: the error of the first bad one, or nothing.

    For a reader whose combined expression failed to compile or matched empty text (see
    :func:`read_patterns`). If no pattern is bad on its own, the patterns clash with each other,
    which the reader reports.
    """
    patterns = str_list(mapping, key, path, what=what)
    for pattern, line in zip(patterns, _lines(mapping, key, patterns), strict=True):
        _check_pattern(pattern, line, key, path, what=what)


def _lines(mapping: LocatedDict, key: str, patterns: list[str] | tuple[str, ...]) -> list[int]:
    return getattr(mapping[key], "item_lines", None) or [mapping.line_of(key)] * len(patterns)


def _stands_alone(pattern: str) -> bool:
    """Whether compiling ``pattern`` inside ``(?:...)`` next to others proves it compiles on its own.

    True when its parentheses balance outside character classes, every class and escape is
    closed, and it has no back-reference, conditional or comment (which could pair with another
    pattern's groups). A false "no" only costs a compile.

    Escapes and whole classes (a "]" right after "[" or "[^" is a literal) are removed by one
    regular expression and the parentheses left are paired off: a loop over every character cost
    several milliseconds of every start over the rule files' 30,000 characters.
    """
    if _REFERS_ELSEWHERE.search(pattern):
        return False
    rest = _ESCAPE_OR_CLASS.sub("", pattern)
    if "\\" in rest or "[" in rest:  # a backslash at the end, or a class never closed
        return False
    parens = _NOT_PARENTHESIS.sub("", rest)
    while "()" in parens:
        parens = parens.replace("()", "")
    return not parens


def _written_for_normalised_text(pattern: str) -> bool:
    """No capital letters (outside escapes and group names) and no apostrophes: see :func:`_check_pattern`."""
    text = _CODE_IN_PATTERN.sub("", pattern)
    return text == text.lower() and not any(mark in pattern for mark in _APOSTROPHES)


def _check_pattern(pattern: str, line: int, key: str, path: Path, *, what: str) -> None:
    """Every check of one pattern, compiling it: the first mistake as an error at ``line``."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise KnowledgeBaseError(path, line, f"bad pattern {pattern!r} in {key!r} of {what}: {exc.msg}") from None
    if _CODE_IN_PATTERN.sub("", pattern) != _CODE_IN_PATTERN.sub("", pattern).lower():
        raise KnowledgeBaseError(
            path,
            line,
            f"pattern {pattern!r} in {key!r} of {what} has capital letters; messages are matched in lower case",
        )
    if any(mark in pattern for mark in _APOSTROPHES):
        raise KnowledgeBaseError(
            path,
            line,
            f"pattern {pattern!r} in {key!r} of {what} has an apostrophe; messages are matched with "
            "apostrophes removed, so write dont, not don't",
        )
    if compiled.fullmatch(""):
        raise KnowledgeBaseError(
            path,
            line,
            f"pattern {pattern!r} in {key!r} of {what} matches empty text, so it would match every message",
        )


def read_named_items(
    data: LocatedDict,
    key: str,
    path: Path,
    *,
    what: str,
    read: Callable[[Any, int], T],
    name_of: Callable[[T], str],
) -> tuple[T, ...]:
    """The list at ``data[key]``, each item made by ``read(item, line)``, in file order.

    The order is the priority, so a name used twice would leave one of the two silently unused;
    it is an error pointing at the second, with the line of the first.
    """
    items = data[key]
    if not isinstance(items, list):
        raise KnowledgeBaseError(path, data.line_of(key), f"{key!r} must be a list of {what}s")
    lines = getattr(items, "item_lines", None) or [data.line_of(key)] * len(items)
    read_items: list[T] = []
    first_line: dict[str, int] = {}
    for item, line in zip(items, lines, strict=True):
        made = read(item, line)
        name = name_of(made)
        if name in first_line:
            first = first_line[name]
            raise KnowledgeBaseError(path, line, f"{what} name {name!r} is used twice (first at line {first})")
        first_line[name] = line
        read_items.append(made)
    return tuple(read_items)


def _template_values(settings: ClinicSettings) -> dict[str, str]:
    return {
        "emergency_number": settings.emergency_number,
        "urgent_phone": settings.urgent_phone,
        "phone": settings.phone,
        "hours": settings.hours,
        "name": settings.name,
        "crisis_line": settings.crisis_line,
        "contact_line": settings.contact_line,
    }


def check_template(mapping: LocatedDict, key: str, path: Path, *, what: str, extra: tuple[str, ...] = ()) -> str:
    """The reply template at ``mapping[key]``, proven to format at load time.

    A typo such as ``{emergency_numbr}`` would otherwise surface as a crash in the middle of an
    emergency reply; here it is an error pointing at the line, found when the bot starts.
    """
    template = " ".join(require_str(mapping, key, path, what=what).split())
    line = mapping.line_of(key)
    allowed = (*PLACEHOLDERS, *extra)
    try:
        names_used = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    except ValueError as exc:
        raise KnowledgeBaseError(
            path, line, f"bad template {key!r} of {what}: {exc} (write {{{{ for a literal {{)"
        ) from None
    for field in names_used:
        if field not in allowed:
            names = ", ".join(f"{{{name}}}" for name in allowed)
            raise KnowledgeBaseError(
                path, line, f"unknown placeholder {{{field}}} in {key!r} of {what} (allowed: {names})"
            )
    try:
        fill_template(template, ClinicSettings(), **dict.fromkeys(extra, ""))
    except (ValueError, KeyError, IndexError, AttributeError) as exc:
        raise KnowledgeBaseError(path, line, f"bad template {key!r} of {what}: {exc}") from None
    return template


def fill_template(template: str, settings: ClinicSettings, **extra: str) -> str:
    """``template`` with the clinic's details (and any ``extra`` values) filled in."""
    return template.format(**_template_values(settings), **extra)
