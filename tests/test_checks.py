"""The clinic's checks file and ``python -m chatbot check``; the shipped ``faq/`` is tested only here.

The shipped knowledge base is the clinic's to edit, so the suite holds it to the clinic's own
checks (``faq/checks.yaml``) and nothing else; the engine's tests use the fixed ``tests/kb/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clirun import run_cli
from conftest import FAQ, KB

from chatbot import Chatbot, KnowledgeBaseError
from chatbot.checks import Check, format_table, read_checks, run_checks
from chatbot.paths import KnowledgeBasePaths
from chatbot.reply import KINDS
from chatbot.staleness import is_stale

run = run_cli


def test_the_shipped_knowledge_base_is_built_and_passes_its_checks() -> None:
    paths = KnowledgeBasePaths.at(FAQ)
    assert not is_stale(paths), "faq/pairs.yaml is stale: run `python -m chatbot build`"
    checks = read_checks(paths.checks)
    kinds = {c.expect for c in checks}
    assert {"answer", "fallback", "emergency"} <= kinds
    outcomes = run_checks(Chatbot.load(FAQ), checks)
    assert all(o.passed for o in outcomes), format_table([o for o in outcomes if not o.passed])


def test_check_command_prints_a_table_and_passes(tmp_path: Path) -> None:
    result = run("--faq", str(KB), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    header, first = result.stdout.splitlines()[:2]
    assert header.split() == ["#", "line", "result", "expected", "got", "question"]
    assert first.split()[:4] == ["1", str(read_checks(KB / "checks.yaml")[0].line), "ok", "answer"]
    assert result.stdout.rstrip().endswith(f"{len(read_checks(KB / 'checks.yaml'))} checks passed")


def test_a_failing_check_fails_the_command_and_says_why(tmp_path: Path) -> None:
    checks = tmp_path / "mine.yaml"
    checks.write_text(
        "checks:\n"
        "  - question: How long does the relief last after cervical rhizotomy?\n"
        "    facts: [6 months to 3 years]\n"
        "  - question: How long does the relief last after cervical rhizotomy?\n"
        "    facts: [10 years]\n"
        "  - question: How much does a rhizotomy cost?\n"
        "    facts: [dollars]\n",
        encoding="utf-8",
    )
    result = run("--faq", str(KB), "check", str(checks))
    assert result.returncode == 1
    rows = result.stdout.splitlines()
    assert rows[1].split()[2] == "ok"
    assert rows[2].split()[2] == "FAIL"
    assert rows[3].split()[2:4] == ["FAIL", "answer"]
    assert "line 4: 'How long does the relief last after cervical rhizotomy?': missing '10 years'" in result.stdout
    assert "line 6: 'How much does a rhizotomy cost?': expected answer, got fallback" in result.stdout
    assert "1 of 3 checks passed" in result.stdout


def test_check_refuses_a_knowledge_base_that_was_not_rebuilt(faq_copy: Path) -> None:
    (faq_copy / "documents" / "knee.md").write_text("# Knee\n\nA knee injection numbs the knee.\n", "utf-8")
    result = run("--faq", str(faq_copy), "check")
    assert result.returncode == 2, "a knowledge-base problem, not a failed check (1)"
    assert "was not built from the current documents: run the build first" in result.stderr


def _one(bot: Chatbot, **fields: object) -> str:
    return run_checks(bot, [Check(**fields)])[0].problem  # type: ignore[arg-type]


DURATION = "How long does the relief last after cervical rhizotomy?"

JUDGEMENTS = [
    ({"question": DURATION, "facts": (("6 months to 3 years",),)}, ""),
    ({"question": DURATION, "facts": (("6 MONTHS to 3 years!",),)}, ""),
    ({"question": DURATION, "facts": (("twenty years", "several months"),)}, ""),
    ({"question": DURATION, "facts": (("twenty years", "ten years"),)}, "missing 'twenty years'"),
    ({"question": DURATION, "facts": (("3 years",), ("permanent",))}, "missing 'permanent'"),
    ({"question": DURATION, "absent": ("permanent cure",)}, ""),
    ({"question": DURATION, "absent": ("6 months",)}, "should not say '6 months'"),
    ({"question": DURATION, "source": "cervical-rhizotomy-duration.txt"}, ""),
    ({"question": DURATION, "source": "cervical-neurotomy.txt"}, "expected source cervical-neurotomy.txt, got"),
    ({"question": DURATION, "pairs": ("cervical-rhizotomy-duration/duration",)}, ""),
    ({"question": DURATION, "pairs": ("x/y", "z/w")}, "expected pair x/y or z/w, got"),
    ({"question": "How much does a rhizotomy cost?", "expect": "fallback"}, ""),
    ({"question": "How much does a rhizotomy cost?", "expect": "answer"}, "expected answer, got fallback"),
    ({"question": "I have a high fever since the procedure", "expect": "emergency"}, ""),
    ({"question": "I have hay fever, can I still have the procedure?", "expect": "emergency"}, "expected emergency"),
    ({"question": "what are the risks?", "follows": ("Tell me about cervical rhizotomy",), "facts": (("nerve",),)}, ""),
    ({"question": DURATION, "expect": "smalltalk"}, "expected smalltalk, got answer"),
]


@pytest.mark.parametrize(("fields", "problem"), JUDGEMENTS)
def test_how_a_reply_is_judged(bot: Chatbot, fields: dict[str, object], problem: str) -> None:
    got = _one(bot, **fields)
    assert got.startswith(problem) if problem else got == ""


BAD_FILES = [
    ("", r"checks\.yaml:1: checks file must be a mapping"),
    ("checks: {}\n", r"checks\.yaml:1: 'checks' must be a list"),
    ("checks:\n  - question: Hi\n    expect: answr\n", r"checks\.yaml:3: unknown expect 'answr' \(expected one of"),
    ("checks:\n  - question: Hi\n    fact: [x]\n", r"checks\.yaml:3: unknown field 'fact' in check"),
    ("checks:\n  - question: How long?\n", r"checks\.yaml:2: an answer check needs 'facts'"),
    ("checks:\n  - question: How long?\n    facts: [[]]\n", r"checks\.yaml:3: each fact must be a text"),
    ("checks:\n  - expect: fallback\n", r"checks\.yaml:2: check has no 'question'"),
    ("checks:\n  - question: [a, b]\n    expect: fallback\n", r"checks\.yaml:2: 'question' in check must be text"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_malformed_checks_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "checks.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=message):
        read_checks(path)


def test_a_malformed_checks_file_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "checks.yaml"
    path.write_text("checks:\n  - question: Hi\n    expect: answr\n", encoding="utf-8")
    result = run("--faq", str(KB), "check", str(path))
    assert result.returncode == 2
    assert result.stderr == f"error: {path}:3: unknown expect 'answr' (expected one of: {', '.join(KINDS)})\n"


def test_a_missing_checks_file(tmp_path: Path) -> None:
    root = tmp_path / "faq"
    shutil.copytree(KB, root)
    (root / "checks.yaml").unlink()
    result = run("--faq", str(root), "check")
    assert result.returncode == 2
    assert result.stderr == f"error: {root / 'checks.yaml'}: file not found\n"
