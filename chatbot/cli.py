"""Command line: ``python -m chatbot ask|chat|build|check|status|export|import|train|train-alarm``.

Errors are one line on stderr and a non-zero exit (2 for a knowledge-base problem, 1 otherwise),
never a traceback: the people running these commands are clinic staff, not Python developers.
``CHATBOT_DEBUG=1`` shows the traceback of an unexpected error for a developer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from .approval import Approvals, read_approvals
from .bot import Chatbot
from .errors import ChatbotError, KnowledgeBaseError
from .model import DEFAULT_MODEL, AnswerModel
from .pairs import read_pairs
from .paths import KnowledgeBasePaths
from .reply import Reply
from .safety import SafetyRules
from .staleness import document_files, is_stale

__all__ = ["main"]

DEFAULT_BANK = Path(__file__).resolve().parent.parent / "tests" / "bank"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(format="warning: %(message)s", level=logging.WARNING)
    try:
        return int(args.run(args))
    except KnowledgeBaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ChatbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped reading (``… | head -3``): nothing is wrong, so nothing is said. Python
        # would report the closed pipe again when it flushes standard output at exit, so that goes
        # to the null device (the recipe of Python's ``signal`` documentation).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if os.environ.get("CHATBOT_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set CHATBOT_DEBUG=1 for details)", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chatbot", description="Patient-information chatbot that answers from the clinic's documents."
    )
    parser.add_argument("--faq", type=Path, default=None, help="knowledge-base folder (default: the shipped faq/)")
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the full reply as JSON")
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="a conversation in the terminal (Ctrl-D or 'quit' to leave)")
    chat.set_defaults(run=_chat)

    build_cmd = commands.add_parser("build", help="rebuild faq/pairs.yaml from the documents and curated.yaml")
    build_cmd.add_argument("--documents", type=Path, default=None, help="read documents from this folder instead")
    build_cmd.set_defaults(run=_build)

    train = commands.add_parser(
        "train",
        help="refit the answer model on the labelled question bank, write the examples, and print held-out figures",
    )
    train.add_argument("--bank", type=Path, default=DEFAULT_BANK, help="question bank folder (default: tests/bank)")
    train.add_argument("--output", type=Path, default=None, help="write the model here (default: chatbot/model.json)")
    train.add_argument(
        "--threshold",
        type=_probability,
        default=None,
        help="answer at or above this probability instead of the threshold learned out of fold (both are printed)",
    )
    train.set_defaults(run=_train)

    alarm = commands.add_parser(
        "train-alarm",
        help="refit the red-flag safety net on the safety tables and the question bank, and print its figures",
    )
    alarm.add_argument("--tests", type=Path, default=DEFAULT_BANK.parent, help="the tests folder (default: tests)")
    alarm.add_argument("--output", type=Path, default=None, help="write the model here (default: chatbot/alarm.npz)")
    alarm.set_defaults(run=_train_alarm)

    check = commands.add_parser("check", help="run the clinic's checks (default: checks.yaml in the knowledge base)")
    check.add_argument("file", nargs="?", type=Path, default=None, help="a checks file (default: <faq>/checks.yaml)")
    check.set_defaults(run=_check)

    status = commands.add_parser("status", help="each document's approval and review date; overdue ones first")
    status.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    status.set_defaults(run=_status)

    export = commands.add_parser("export", help="write the built pairs as a QnA Maker TSV file")
    export.add_argument("--format", choices=("qna",), default="qna", help="file layout (QnA Maker TSV)")
    export.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of the screen")
    export.set_defaults(run=_export)

    import_cmd = commands.add_parser("import", help="add a QnA Maker TSV (or CSV) file's questions to curated.yaml")
    import_cmd.add_argument("file", type=Path, help="a .tsv (QnA Maker layout) or .csv file with Question and Answer")
    import_cmd.set_defaults(run=_import)
    return parser


def _probability(text: str) -> float:
    """An answer threshold from the command line: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"a probability is from 0 to 1, not {value:g}")
    return value


def _ask(args: argparse.Namespace) -> int:
    bot = Chatbot.load(args.faq)
    approvals = read_approvals(KnowledgeBasePaths.at(args.faq).approvals)
    reply = bot.ask(args.question)
    if args.json:
        print(json.dumps(asdict(reply), ensure_ascii=False, indent=2))
    else:
        print(format_reply(reply, approvals=approvals))
    return 0


def _chat(args: argparse.Namespace) -> int:
    bot = Chatbot.load(args.faq)
    approvals = read_approvals(KnowledgeBasePaths.at(args.faq).approvals)
    conversation = bot.conversation()
    print(f"{bot.settings.name} — patient information assistant. Type 'quit' to leave.")
    print(bot.notice)
    reply: Reply | None = None
    while True:
        try:
            message = input("\nyou> ")
        except EOFError:
            print()
            return 0
        if message.strip().lower() in {"quit", "exit"}:
            return 0
        picked = picked_suggestion(message, reply)
        if picked is not None:
            print(f"(asking: {picked})")
        reply = conversation.ask(picked or message)
        print(format_reply(reply, notice=False, approvals=approvals))


def picked_suggestion(message: str, reply: Reply | None) -> str | None:
    """The suggestion a bare number picks from the numbered list under the last reply ("2"), as
    the chat page's buttons do; ``None`` otherwise. A clarification's numbers are its options,
    which the conversation itself reads ("2", "the second one")."""
    number = message.strip().rstrip(".")
    if reply is None or reply.kind == "clarify" or not number.isdigit():
        return None
    index = int(number) - 1
    return reply.suggestions[index] if 0 <= index < len(reply.suggestions) else None


def _build(args: argparse.Namespace) -> int:
    from .build import build  # build-time code (document readers, scikit-learn): only this command needs it

    result = build(KnowledgeBasePaths.at(args.faq, documents=args.documents))
    state = "written" if result.changed else "unchanged"
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{result.path}: {result.pairs} pairs from {result.documents} documents ({state})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .qna import export_qna  # QnA Maker files: only this command needs them

    paths = KnowledgeBasePaths.at(args.faq)
    if not paths.pairs.exists():
        raise KnowledgeBaseError(paths.pairs, None, "no built pairs file: run `python -m chatbot build` first")
    text = export_qna(read_pairs(paths.pairs))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8", newline="\n")
        print(f"{args.output}: {text.count(chr(10)) - 1} rows", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from .qna import import_qna  # QnA Maker files: only this command needs them

    paths = KnowledgeBasePaths.at(args.faq)
    ids = import_qna(args.file, paths)
    print(f"{paths.curated}: added {len(ids)} pairs from {args.file}; run `python -m chatbot build` next")
    return 0


def _status(args: argparse.Namespace) -> int:
    """Every document's approval; exit status 1 if any document is past its review date."""
    paths = KnowledgeBasePaths.at(args.faq)
    approvals = read_approvals(paths.approvals)
    files = document_files(paths.documents) if paths.documents.is_dir() else []
    approvals.check_documents(files)
    today = args.today or dt.date.today()
    statuses = approvals.status(files, today=today)
    rows = [("document", "state", "review by", "approved by", "approved on")]
    for item in statuses:
        approval = item.approval
        state = item.state
        if item.state == "overdue":
            state = f"OVERDUE by {-item.days} days"
        elif item.state == "due soon":
            state = f"due in {item.days} days"
        elif item.state == "not approved":
            state = "NOT APPROVED"
        if approval is None:
            rows.append((item.document, state, "-", "-", "-"))
        else:
            rows.append(
                (item.document, state, str(approval.review_by), approval.approved_by, str(approval.approved_on))
            )
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    overdue = sum(1 for item in statuses if item.state == "overdue")
    unapproved = len(approvals.unapproved(files))
    print(f"\n{len(files)} documents: {overdue} past their review date, {unapproved} not approved (on {today})")
    return 1 if overdue else 0


def _check(args: argparse.Namespace) -> int:
    paths = KnowledgeBasePaths.at(args.faq)
    from .checks import format_table, read_checks, run_checks  # only this command needs them

    checks = read_checks(args.file or paths.checks)
    if paths.documents.is_dir() and paths.pairs.exists() and is_stale(paths):
        print(f"error: {paths.pairs} was not built from the current documents: run the build first", file=sys.stderr)
        return 2  # a knowledge-base problem, as every other command reports one; 1 is failed checks
    outcomes = run_checks(Chatbot.load(args.faq), checks)
    print(format_table(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


def format_reply(reply: Reply, *, notice: bool = True, approvals: Approvals | None = None) -> str:
    """A reply as terminal text: a safety net first, the text, then its source (with its approval
    date, if wanted) and suggestions."""
    lines = []
    if reply.kind == "emergency":
        lines.append("!! URGENT !!")
    if reply.safety_net:
        lines.extend((f"!! {reply.safety_net}", ""))
    lines.append(reply.text)
    if reply.sources:
        lines.append("")
        approvals = approvals or Approvals()
        lines.extend(f"Source: {approvals.source_line(source)}" for source in reply.sources)
    if reply.options and reply.kind != "clarify":
        lines.extend(("", "The same question about another procedure:"))
        lines.extend(f"  - {option.question}" for option in reply.options)
    if reply.suggestions:
        lines.append("")
        heading = "Options:" if reply.kind == "clarify" else "You could also ask:"
        lines.append(heading)
        lines.extend(f"  {i}. {s}" for i, s in enumerate(reply.suggestions, start=1))
    if notice and reply.notice:
        lines.extend(("", reply.notice))
    return "\n".join(lines)


def _train_alarm(args: argparse.Namespace) -> int:
    from .alarm import DEFAULT_ALARM
    from .alarmtrain import alarm_examples, fit_alarm
    from .arrayfile import write_if_changed

    rules = KnowledgeBasePaths.at(args.faq).safety
    data, figures = fit_alarm(*alarm_examples(args.tests, SafetyRules.from_file(rules)))
    output = args.output or DEFAULT_ALARM
    changed = write_if_changed(output, data)
    print(
        f"{figures['reports']:.0f} reports, {figures['quiet']:.0f} messages reporting nothing; "
        f"out of fold at threshold {figures['threshold']:.2f}: "
        f"{figures['reports_caught']:.1%} of the reports get urgent advice, "
        f"{figures['quiet_netted']:.1%} of the others a safety net; the rules' false alarms doubted below "
        f"{figures['doubt']:.2f}: {figures['false_alarms_doubted']:.0%}"
    )
    print(f"{'wrote' if changed else 'unchanged:'} {output}; figures on unseen messages: benchmarks/safety_figures.py")
    return 0


def _train(args: argparse.Namespace) -> int:
    from .build import build_example_vectors
    from .pairs import atomic_write
    from .train import bank_examples, evaluate, examples_yaml, fit_model, read_bank

    bank = read_bank(args.bank)
    bot = Chatbot.load(args.faq, model=AnswerModel.retrieval_only(), examples=())
    model = fit_model(bot, bank, report=print)
    if args.threshold is not None:
        print(f"threshold {args.threshold:.2f} as asked (learned out of fold: {model.threshold:.2f})")
        model = replace(model, threshold=args.threshold)
    output = args.output or DEFAULT_MODEL
    atomic_write(output, model.to_json())
    examples = bank_examples(bot, bank)
    paths = KnowledgeBasePaths.at(args.faq)
    atomic_write(paths.examples, examples_yaml(examples, bot.pairs))
    build_example_vectors(paths, bot.pairs, synonyms=bot.synonyms)
    trained = Chatbot.load(args.faq, model=model, threshold=model.threshold)  # the model's, not the clinic's
    for split in ("train", "dev"):
        figures = evaluate(trained, bank, split=split)
        others = ", ".join(f"{kind} {ok}/{total} declined" for kind, (total, ok) in sorted(figures.others.items()))
        print(
            f"{split}: {figures.covered} covered: {figures.right} right ({figures.share(figures.right):.0%}), "
            f"{figures.wrong} wrong ({figures.share(figures.wrong):.1%}), {figures.clarified} clarified, "
            f"{figures.declined} declined; {others}"
        )
    print(f"wrote {output} (threshold {model.threshold:.2f}); test-split figures: benchmarks/answer_quality.py")
    return 0
