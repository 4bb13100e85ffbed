"""Start the patient chat server: ``python serve.py [--address A] [--port N] [--base-url-path P]``.

This is how a clinic's server runs ``app.py``. Compared with ``streamlit run app.py`` it:

* loads the knowledge base *before* the server listens, and exits with one line naming the file
  (status 2) when ``clinic.yaml`` or ``pairs.yaml`` is missing, broken, truncated or still holds
  example numbers: a server that answers at all has its whole knowledge base;
* runs the page once before accepting connections, so the first patient's first answer is as
  fast as anyone's;
* answers ``GET /readyz`` (outside the base path, for a load balancer or systemd on the same
  host) with 200 only while a knowledge base is loaded, 503 otherwise;
* never looks up the machine's addresses on the internet: Streamlit asks a public web service for
  the server's external IP (for its start-up banner and for WebSocket handshakes with a foreign
  ``Origin``), which blocks the server's event loop and breaks the promise that nothing leaves the
  clinic's server. Both lookups are replaced by "unknown" before the server starts;
* freezes the loaded knowledge base and the imported modules out of Python's garbage collector
  (:mod:`chatbot.serving`), which is what makes replies fast under load;
* reads the theme settings once per configuration instead of on every page run (about a tenth
  of the server's CPU per reply under load).

Other Streamlit settings come from ``.streamlit/config.toml`` and ``STREAMLIT_*`` environment
variables, as with ``streamlit run``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from streamlit import config as st_config
from streamlit import net_util, runtime

from chatbot.errors import KnowledgeBaseError
from chatbot.serving import KNOWLEDGE_BASE_ENV, current_bot, refresh

ROOT = Path(__file__).resolve().parent
APP = ROOT / "app.py"
READY_PATH = "/readyz"

log = logging.getLogger("chatbot.serve")


def _unknown_address() -> str | None:
    """Stands in for Streamlit's address lookups: the server's addresses are whatever the clinic configured."""
    return None


def forbid_outbound_lookups() -> None:
    """Stop Streamlit from contacting the internet to learn this machine's addresses.

    ``get_external_ip`` fetches ``checkip.amazonaws.com`` and ``get_internal_ip`` opens a UDP
    socket towards ``8.8.8.8``. They only feed the start-up banner and the WebSocket origin check,
    which still accepts localhost and ``server.corsAllowedOrigins``; a deployment behind the nginx
    kit (``deploy/``) checks the Origin there too.
    """
    net_util.get_external_ip = _unknown_address
    net_util.get_internal_ip = _unknown_address


class ThemeSettings:
    """Streamlit's ``config.get_options_for_section``, with the theme sections kept per configuration.

    Streamlit sends the theme to the browser at the start of every run, a fragment's included,
    and builds it with six scans of its 250-odd settings (``theme``, ``theme.light``,
    ``theme.dark`` and the three sidebars): about a tenth of the server's CPU per reply under
    load (``benchmarks/bench_load.py``). Theme settings change only when the configuration is
    parsed again, which builds a new settings table (``st.set_option`` refuses them at run time),
    so each scan is kept for the table it was read from. Other sections are read as before.
    """

    def __init__(self, read: Callable[[str], dict[str, Any]]) -> None:
        self.read = read
        self.table: object = None
        self.kept: dict[str, dict[str, Any]] = {}

    def __call__(self, section: str) -> dict[str, Any]:
        if not section.startswith("theme"):
            return self.read(section)
        table = st_config.get_config_options()
        if table is not self.table:
            self.table, self.kept = table, {}
        if section not in self.kept:
            self.kept[section] = self.read(section)
        return dict(self.kept[section])


def read_theme_once() -> None:
    """Stop Streamlit from scanning its settings for the theme on every page run (:class:`ThemeSettings`)."""
    if not isinstance(st_config.get_options_for_section, ThemeSettings):
        st_config.get_options_for_section = ThemeSettings(st_config.get_options_for_section)


async def ready(request: Request) -> PlainTextResponse:
    """Readiness: 200 while a knowledge base is loaded (a failed reload keeps the previous one, and says so).

    An edit since the last load is loaded (or found broken) now, in a worker thread as a page
    view would, so the probe tells an operator at once what an edited file did.
    """
    state = await asyncio.to_thread(refresh)
    if not state.loaded:
        return PlainTextResponse(f"not ready: {state.error or 'knowledge base not loaded'}\n", status_code=503)
    notes = [f"{state.pairs} pairs from {state.root}"]
    if state.demonstration:
        notes.append("demonstration setup")
    if state.error:
        notes.append(f"kept the previous knowledge base: {state.error}")
    return PlainTextResponse("ready: " + "; ".join(notes) + "\n")


@contextlib.asynccontextmanager
async def warm_up(app: st.App) -> AsyncIterator[None]:
    """Run the page once before the server accepts anyone, so the first patient is not the one who waits.

    The first run of ``app.py`` in a process compiles it and imports the code behind its widgets;
    doing it here (Streamlit's own script check, on the event loop, as the runtime requires) takes
    that off the first patient's first answer. A page that fails to run stops the start-up.
    """
    ok, message = await runtime.get_instance().does_script_run_without_error()
    if not ok:
        raise RuntimeError(f"app.py does not run: {message}")
    yield


def make_app() -> st.App:
    """The Streamlit app with the readiness route and the warm-up."""
    return st.App(APP, routes=[Route(READY_PATH, ready, methods=["GET", "HEAD"])], lifespan=warm_up)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python serve.py", description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=None, help="address to listen on (e.g. 127.0.0.1 behind a proxy)")
    parser.add_argument("--port", type=int, default=None, help="port to listen on (default 8501)")
    parser.add_argument("--base-url-path", default=None, help="serve the chat under this path (e.g. patient-chat)")
    parser.add_argument(
        "--faq", type=Path, default=None, help="knowledge-base folder (default: $CHATBOT_FAQ_DIR or faq/)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Load the knowledge base, then serve; returns 2 with one line on stderr if it cannot load."""
    args = _parser().parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    if args.faq is not None:
        os.environ[KNOWLEDGE_BASE_ENV] = str(args.faq.resolve())
    forbid_outbound_lookups()
    read_theme_once()
    try:
        current_bot()
    except KnowledgeBaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = {
        "server.address": args.address,
        "server.port": args.port,
        "server.baseUrlPath": args.base_url_path,
    }
    sys.argv = [str(Path(__file__).resolve())]
    make_app().run(config={key: value for key, value in options.items() if value is not None})
    return 0


if __name__ == "__main__":
    sys.exit(main())
