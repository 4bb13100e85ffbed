"""``curated.yaml`` documents every field it accepts in its header, with an example that is valid."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FAQ, KB

from chatbot.curated import EXTEND_FIELDS, read_curated
from chatbot.pairs import PAIR_FIELDS, SOURCE_FIELDS


def _header_example(path: Path) -> str:
    comments = [line[2:] if line.startswith("# ") else line[1:] for line in path.read_text("utf-8").splitlines()]
    text = "\n".join(line for line in comments if not line.startswith(("#", "!")))
    start = text.index("\ndocuments:") + 1
    return text[start : text.index("Who approved")]


def test_the_header_example_is_a_valid_curated_file(tmp_path: Path) -> None:
    for curated in (FAQ / "curated.yaml", KB / "curated.yaml"):
        example = tmp_path / "curated.yaml"
        example.write_text(_header_example(curated), encoding="utf-8")
        parsed = read_curated(example)
        assert len(parsed.new_pairs) == 1
        assert len(parsed.extensions) == 1
        assert parsed.documents["rhizotomy-neck-risks-recovery.txt"].tags == ("neck", "recovery")


def test_the_header_names_every_accepted_field() -> None:
    example = _header_example(FAQ / "curated.yaml")
    keys = set(re.findall(r"^\s*(?:- )?(\w+):", example, flags=re.MULTILINE))
    accepted = {"documents", "pairs", "procedure", "tags", *EXTEND_FIELDS, *PAIR_FIELDS, *SOURCE_FIELDS} - {"origin"}
    assert accepted - keys == set()
