"""``chatbot.rules``: which staff patterns may be checked only inside their reader's combined expression."""

from __future__ import annotations

import pytest

from chatbot.rules import _stands_alone


@pytest.mark.parametrize(
    ("pattern", "alone"),
    [
        ("fever", True),
        ("(?:cant|cannot) (?:feel|move)", True),
        (r"\(not\) a group", True),
        ("[()] in a class", True),
        (r"[\]] escaped in a class", True),
        ("[]] a first bracket is a literal", True),
        ("[^]] after a caret too", True),
        ("[[] an opening bracket in a class", True),
        ("(unclosed", False),
        ("closed too often)", False),
        (")(", False),
        ("[unclosed class", False),
        ("[]", False),
        ("[^]", False),
        ("ends in a backslash \\", False),
        (r"[a\]", False),
        (r"(a)\1", False),
        ("(?P=name)", False),
        ("(?(1)a|b)", False),
        ("(?#comment)", False),
    ],
)
def test_stands_alone(pattern: str, alone: bool) -> None:
    """Balanced groups, closed classes and escapes, and nothing that refers to another group; any doubt is "no"."""
    assert _stands_alone(pattern) is alone
