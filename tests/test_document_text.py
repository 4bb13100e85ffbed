"""Document-derived text (titles, sections, file names) shows as plain text on the page, never as links.

GitHub-flavoured Markdown, which Streamlit renders, turns a bare ``www.``/``https://`` address or
an e-mail address into a link even when every character is backslash-escaped. The page defuses
them with an invisible word joiner; here a knowledge base whose document title and section are
addresses is asked a question, and every Markdown string on the page is checked for anything GFM
would link.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from test_app import COVERED, all_markdown, assistant, data_dir, open_page, send, shown

from chatbot.build import build_index
from chatbot.pairs import atomic_write, dump_pairs, read_pairs
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import Source

__all__ = ["data_dir"]  # the fixture, imported for its use here

LINKABLE = re.compile(r"(?i)(?<![a-z0-9])www\.|[a-z][a-z0-9+.-]*://|[a-z0-9._+-]@[a-z0-9-]+\.")
"""What GFM's autolink-literal extension links: www., scheme://, and e-mail addresses."""

TITLE = "See https://evil.example/login or www.evil.example"
SECTION = "Write to help@evil.example"


def _unescaped(markdown: str) -> str:
    """The text GFM's autolinker sees: backslash escapes resolved (word joiners kept: they are characters)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize(
    ("text", "linkable"),
    [
        ("https://evil.example", True),
        ("www.evil.example", True),
        ("help@evil.example", True),
        ("Cervical Neurotomy", False),
        ("a note: see section 2", False),
    ],
)
def test_the_linkable_pattern_knows_both_sides(text: str, linkable: bool) -> None:
    assert bool(LINKABLE.search(text)) is linkable


def test_document_titles_and_sections_never_become_links(
    faq_copy: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = [
        dataclasses.replace(pair, source=Source(title=TITLE, document="www.evil.example.txt", section=SECTION))
        for pair in read_pairs(faq_copy / "pairs.yaml")
    ]
    atomic_write(faq_copy / "pairs.yaml", dump_pairs(pairs))
    build_index(KnowledgeBasePaths.at(faq_copy), pairs)  # the passages' sections are indexed too
    monkeypatch.setenv("CHATBOT_FAQ_DIR", str(faq_copy))
    at = open_page()
    reply = send(at, COVERED)
    assert reply is assistant(at)[-1]
    captions = " ".join(shown(c.value) for c in reply.caption)
    assert TITLE in captions and SECTION in captions and "www.evil.example.txt" in captions
    assert any(TITLE in shown(e.label) for e in at.expander)
    for markdown in all_markdown(at):
        assert not LINKABLE.search(_unescaped(markdown)), markdown
