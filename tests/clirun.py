"""Run ``python -m chatbot ARGS`` in this process: the same code path as the command, without a new
interpreter's start-up (seconds per call on a busy CI machine). The tests of the command's own
behaviour on a real process (tracebacks, exit codes) are in ``test_cli.py``."""

from __future__ import annotations

import contextlib
import io
import subprocess

from chatbot.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["python", "-m", "chatbot", *args], code, out.getvalue(), err.getvalue())
