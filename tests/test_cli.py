"""The command line: answers, JSON, a terminal chat, builds, and one-line errors without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KB, ROOT

from chatbot.cli import picked_suggestion
from chatbot.reply import Reply


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m chatbot ARGS``, on the fixed test knowledge base unless ``--faq`` is given."""
    faq = () if "--faq" in args else ("--faq", str(KB))
    return subprocess.run(
        [sys.executable, "-m", "chatbot", *faq, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_ask_prints_answer_and_source() -> None:
    result = run("ask", "How long does the relief from cervical rhizotomy last?")
    assert result.returncode == 0, result.stderr
    assert "6 months to 3 years" in result.stdout
    assert "Source: Duration of Cervical Rhizotomy Effects" in result.stdout


def test_a_question_about_a_present_red_flag_prints_the_safety_net_first() -> None:
    result = run("ask", "should i be worried about pus at the needle site")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("!! If this is happening to you now: ") and "(555) 010-2999" in first
    assert "URGENT" not in result.stdout


def test_ask_json_is_the_full_reply() -> None:
    result = run("ask", "Can I shower after?", "--json")
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["kind"] == "fallback"
    assert set(reply) >= {"kind", "text", "confidence", "sources", "matched_question", "suggestions"}


def test_chat_keeps_the_thread() -> None:
    result = run("chat", stdin="what is sdr\nis it safe?\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "not medical advice" in result.stdout
    assert "paralysis" in result.stdout


def test_chat_asks_the_suggestion_a_number_picks() -> None:
    result = run("chat", stdin="how long does the relief from cervical rhizotomy last\n2\n9\nquit\n")
    assert result.returncode == 0, result.stderr
    listed = re.search(r"You could also ask:\n  1\. .*\n  2\. (.*)\n", result.stdout)
    assert listed is not None, result.stdout
    assert f"(asking: {listed.group(1)})" in result.stdout
    assert result.stdout.count("(asking:") == 1, "9 is no suggestion: asked as typed"


@pytest.mark.parametrize(
    ("message", "kind", "picked"),
    [
        ("2", "answer", "second"),
        (" 2. ", "answer", "second"),
        ("3", "answer", None),
        ("0", "answer", None),
        ("2", "clarify", None),
        ("2 weeks", "answer", None),
    ],
)
def test_a_bare_number_picks_a_listed_suggestion(message: str, kind: str, picked: str | None) -> None:
    reply = Reply(kind=kind, text="", confidence=1.0, suggestions=("first", "second"))
    assert picked_suggestion(message, reply) == picked
    assert picked_suggestion(message, None) is None


def test_build_reports_counts(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    docs = faq / "documents"
    docs.mkdir(parents=True)
    (docs / "knee.md").write_text((ROOT / "tests" / "data" / "genicular-nerve-block.md").read_text("utf-8"), "utf-8")
    result = run("--faq", str(faq), "build")
    assert result.returncode == 0, result.stderr
    assert "pairs from 1 documents (written)" in result.stdout
    again = run("--faq", str(faq), "build")
    assert "(unchanged)" in again.stdout


def test_build_with_other_documents_folder(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    faq.mkdir()
    docs = tmp_path / "elsewhere"
    docs.mkdir()
    (docs / "knee.md").write_text((ROOT / "tests" / "data" / "genicular-nerve-block.md").read_text("utf-8"), "utf-8")
    result = run("--faq", str(faq), "build", "--documents", str(docs))
    assert result.returncode == 0, result.stderr
    assert (faq / "pairs.yaml").exists()


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    (faq / "documents").mkdir(parents=True)
    (faq / "documents" / "a.txt").write_text("Title\nSome text.\n", "utf-8")
    (faq / "curated.yaml").write_text("pairs:\n  - id: x\n    question: Q?\n    anwser: A\n", "utf-8")
    result = run("--faq", str(faq), "build")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: ")
    assert "curated.yaml:4: unknown field 'anwser' in pair" in result.stderr


def test_a_reader_that_stops_reading_ends_the_command_quietly() -> None:
    """``python -m chatbot ask … | head -1``: the closed pipe is no error to report."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "--faq", str(KB), "ask", "how long does the relief last"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # before the answer is written: writing it meets a closed pipe
    _, err = process.communicate(timeout=120)
    assert err == b""
    assert process.returncode == 1


def test_missing_knowledge_base(tmp_path: Path) -> None:
    result = run("--faq", str(tmp_path), "ask", "hello")
    assert result.returncode == 2
    assert "no built pairs file" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_knowledge_base_folder(tmp_path: Path) -> None:
    result = run("--faq", str(tmp_path / "nowhere"), "ask", "hello")
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'nowhere'}: knowledge-base folder not found\n"


def test_a_forgotten_build_is_a_warning(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(KB, faq)
    assert run("--faq", str(faq), "ask", "hello").stderr == ""
    knee = (ROOT / "tests" / "data" / "genicular-nerve-block.md").read_text("utf-8")
    (faq / "documents" / "knee.md").write_text(knee, "utf-8")
    result = run("--faq", str(faq), "ask", "how long does a genicular nerve block last")
    assert result.returncode == 0
    assert result.stderr.startswith(f"warning: {faq / 'pairs.yaml'} was not built from the current documents")
    assert "run `python -m chatbot build`" in result.stderr


def test_usage_error() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_ask_lists_the_same_question_about_the_other_procedures() -> None:
    result = run("ask", "is it safe")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("About ")
    assert "The same question about another procedure:" in result.stdout
    assert "  - What are the risks of " in result.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [("1.5", r"--threshold: a probability is from 0 to 1, not 1\.5"), ("high", r"--threshold: not a number: 'high'")],
)
def test_train_refuses_a_threshold_that_is_not_a_probability(value: str, message: str) -> None:
    """Refused before any training starts (it takes minutes), with argparse's usage error."""
    result = run("train", "--threshold", value)
    assert result.returncode == 2
    assert re.search(message, result.stderr)
