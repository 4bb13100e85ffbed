"""Read the staff-editable YAML files so that every mistake can be reported as ``file:line: reason``.

PyYAML reports syntax errors with a position but forgets positions once it has built Python
objects. Here mappings and lists remember the line they start on (and each key's line), so the
validators in this package can point at the exact entry that is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeBaseError

__all__ = ["LocatedDict", "LocatedList", "check_keys", "parse_yaml", "read_yaml", "require_str", "str_list"]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedDict(dict):
    """A mapping that knows its 1-based starting line and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A list that knows its 1-based starting line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader whose mappings and lists carry their line numbers and reject duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Any:
    data = LocatedDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(problem=f"keys must be text, got {key!r}", problem_mark=key_node.start_mark)
        if key in data:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Any:
    data = LocatedList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def read_yaml(path: str | Path, *, missing_ok: bool = False, located: bool = True) -> Any:
    """Parse ``path``; any read or syntax problem becomes a :class:`KnowledgeBaseError`.

    An empty file yields ``None``, and so does a missing one with ``missing_ok`` (the optional
    staff files: no file means "use the defaults"); callers decide whether ``None`` is allowed.
    ``located=False`` builds plain dicts and lists, without line numbers, at a third of the cost:
    for long machine-written lists whose items are named by their number (``examples.yaml``).
    """
    path = Path(path)
    if missing_ok and not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeBaseError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        line = text_line_of_offset(path.read_bytes(), exc.start)
        raise KnowledgeBaseError(path, line, "not valid UTF-8 text") from None
    except OSError as exc:
        raise KnowledgeBaseError(path, None, f"cannot read file ({exc.strerror or exc})") from None
    return parse_yaml(text, path, located=located)


def parse_yaml(text: str, path: str | Path, *, located: bool = True) -> Any:
    """Parse YAML ``text`` read from ``path`` (named in errors); for callers that check the bytes first."""
    path = Path(path)
    try:
        return yaml.load(text, Loader=_Loader if located else _BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise KnowledgeBaseError(path, line, f"invalid YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(path, None, f"invalid YAML: {exc}") from None


def text_line_of_offset(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset, for pointing at undecodable bytes."""
    return data.count(b"\n", 0, offset) + 1


def check_keys(
    mapping: Any,
    path: Path,
    *,
    what: str,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    line: int | None = None,
) -> LocatedDict:
    """Insist that ``mapping`` is a mapping with all ``required`` keys and no unknown ones.

    Unknown keys are errors, not warnings: a misspelt ``anwser:`` silently ignored would ship a
    pair without the answer staff thought they wrote.
    """
    if not isinstance(mapping, LocatedDict):
        raise KnowledgeBaseError(path, line, f"{what} must be a mapping of 'key: value' lines")
    allowed = set(required) | set(optional)
    for key in mapping:
        if key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise KnowledgeBaseError(
                path, mapping.line_of(key), f"unknown field {key!r} in {what} (expected: {expected})"
            )
    for key in required:
        if key not in mapping:
            raise KnowledgeBaseError(path, mapping.line, f"{what} has no {key!r}")
        if mapping[key] in (None, "", []):
            raise KnowledgeBaseError(path, mapping.line_of(key), f"{key!r} in {what} is empty")
    return mapping


def require_str(mapping: LocatedDict, key: str, path: Path, *, what: str, default: str | None = None) -> str:
    """The non-empty text at ``key``; numbers are accepted and turned into text (phone numbers)."""
    value = mapping.get(key, default)
    if value is None:
        raise KnowledgeBaseError(path, mapping.line, f"{what} has no {key!r}")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise KnowledgeBaseError(path, mapping.line_of(key), f"{key!r} in {what} must be text")
    text = str(value).strip()
    if not text:
        raise KnowledgeBaseError(path, mapping.line_of(key), f"{key!r} in {what} is empty")
    return text


def str_list(mapping: LocatedDict, key: str, path: Path, *, what: str) -> tuple[str, ...]:
    """A list of non-empty texts at ``key`` (a single text is accepted as a one-item list)."""
    value = mapping.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise KnowledgeBaseError(path, mapping.line_of(key), f"{key!r} in {what} must be a list of texts")
    lines = getattr(value, "item_lines", None) or [mapping.line_of(key)] * len(value)
    out: list[str] = []
    for item, item_line in zip(value, lines, strict=True):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
            hint = " (put yes/no/on/off in quotes)" if isinstance(item, bool) else ""
            raise KnowledgeBaseError(path, item_line, f"every item of {key!r} in {what} must be non-empty text{hint}")
        out.append(str(item).strip())
    return tuple(out)
