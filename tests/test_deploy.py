"""The deployment kit, run for real: ``deploy/nginx/patient-chat.conf`` in Debian's nginx, in front of
two ``serve.py`` replicas under ``/patient-chat/``, with Chromium as the patient's browser.

The kit file is used as shipped; only the values marked CLINIC in it (ports, origins, the log
path) are replaced for loopback. Checked: the security headers and no server banner; Streamlit's
metrics and script-health-check are not reachable; a WebSocket from a foreign Origin
is refused; host-config comes from nginx, without Streamlit's own
allowed origins; a client that hammers the server is rate-limited, but a waiting room of patients
behind one address still gets every page file; the clinic's portal origin can frame
the chat and another origin cannot; both replicas serve patients, each browser sticking to one.

Needs ``nginx`` (``.ci/run`` installs it); skipped without it unless REQUIRE_NGINX=1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import websockets
from conftest import ROOT
from serving_client import Session
from test_browser import (  # browser: the shared Chromium fixture
    COVERED,
    INPUT,
    AppServer,
    ask,
    browser,
    free_port,
    portal_server,
    portal_url,
    wait_for_page,
)

__all__ = ["browser"]  # the fixture, imported for its use here

KIT = ROOT / "deploy" / "nginx" / "patient-chat.conf"
BASE = "patient-chat"
PORTAL_ORIGIN = "https://portal.riverside-pain.example"
CHAT_ORIGIN = "https://chat.riverside-pain.example"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_missing() -> str | None:
    return None if Path(NGINX).exists() else "nginx is not installed (Debian package 'nginx')"


def render_kit(*, listen: int, replicas: list[int], portal: str, chat: str, access_log: Path) -> str:
    """The kit with its CLINIC values replaced; fails if the kit no longer has them where expected."""
    text = KIT.read_text(encoding="utf-8")
    replacements = [
        (
            "    server 127.0.0.1:8501;\n    server 127.0.0.1:8502;\n",
            "".join(f"    server 127.0.0.1:{p};\n" for p in replicas),
        ),
        (f'    "{CHAT_ORIGIN}" 1;', f'    "{chat}" 1;'),
        (f"frame-ancestors 'self' {PORTAL_ORIGIN}", f"frame-ancestors 'self' {portal}"),
        ("    listen 80;", f"    listen 127.0.0.1:{listen};"),
        ("/var/log/nginx/patient-chat.access.log", str(access_log)),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"the kit changed: {old!r} not found once in {KIT}"
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx with the rendered kit, in the foreground of its own process group, files under ``root``."""

    def __init__(self, root: Path, kit: str) -> None:
        self.root = root
        for folder in ("logs", "temp"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        (root / "patient-chat.conf").write_text(kit, encoding="utf-8")
        temp = root / "temp"
        (root / "nginx.conf").write_text(
            f"""
            daemon off;
            {"user root;" if os.geteuid() == 0 else ""}
            worker_processes 1;
            pid {root}/nginx.pid;
            error_log {root}/logs/error.log warn;
            include /etc/nginx/modules-enabled/*.conf;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                client_body_temp_path {temp}/body;
                proxy_temp_path {temp}/proxy;
                fastcgi_temp_path {temp}/fastcgi;
                uwsgi_temp_path {temp}/uwsgi;
                scgi_temp_path {temp}/scgi;
                include {root}/patient-chat.conf;
            }}
            """,
            encoding="utf-8",
        )
        check = subprocess.run(
            [NGINX, "-t", "-c", str(root / "nginx.conf"), "-e", str(root / "logs/error.log")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(
            [NGINX, "-c", str(root / "nginx.conf"), "-e", str(root / "logs/error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Stack:
    """Two replicas, nginx in front, and the access log that says which replica served what."""

    def __init__(self, tmp: Path, *, portal: str) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.origin}/{BASE}/"
        self.access_log = tmp / "access.log"
        self.replicas = [
            AppServer(
                env={"CHATBOT_FEEDBACK_FILE": "off"}, base_url_path=BASE, log=tmp / f"replica-{i}.log", warm=False
            )
            for i in range(2)
        ]
        self.nginx: Nginx | None = None
        try:
            for replica in self.replicas:
                replica.wait_ready(warm=False)
            kit = render_kit(
                listen=self.port,
                replicas=[r.port for r in self.replicas],
                portal=portal,
                chat=self.origin,
                access_log=self.access_log,
            )
            self.nginx = Nginx(tmp / "nginx", kit)
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(self.url + "_stcore/health", timeout=2):
                return
            time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def upstreams(self, path_pattern: str) -> list[str]:
        """The replica ports that served requests whose path matches ``path_pattern``, in log order."""
        found = []
        for line in self.access_log.read_text().splitlines():
            match = re.search(r'"\w+ (\S+)" (\d+) upstream=127\.0\.0\.1:(\d+)', line)
            if match and re.search(path_pattern, match.group(1)):
                found.append(match.group(3))
        return found

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for replica in self.replicas:
            replica.stop()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
            return reply.status, reply.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    with portal_server() as url:
        yield url


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, portal: str) -> Iterator[Stack]:
    reason = nginx_missing()
    if reason:
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)
    running = Stack(tmp_path_factory.mktemp("stack"), portal=portal.rstrip("/"))
    yield running
    running.stop()


def test_security_headers_and_no_banner(stack: Stack, portal: str) -> None:
    status, headers = fetch(stack.url)
    assert status == 200
    assert headers["Content-Security-Policy"] == f"frame-ancestors 'self' {portal.rstrip('/')}"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Server" not in headers, headers["Server"]
    status, headers = fetch(f"{stack.origin}/nowhere")
    assert status == 404 and "Server" not in headers and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["_stcore/metrics", "_stcore/script-health-check"])
def test_streamlit_internals_are_not_served(stack: Stack, path: str) -> None:
    assert fetch(stack.url + path)[0] == 404
    direct = stack.replicas[0].url + path
    assert fetch(direct)[0] == 200, "the replica itself serves it: the block is nginx's doing"


def test_host_config_comes_from_nginx_without_foreign_origins(stack: Stack) -> None:
    def host_config(url: str) -> dict[str, Any]:
        with urllib.request.urlopen(url + "_stcore/host-config", timeout=10) as reply:
            return json.loads(reply.read())

    assert any("streamlit.app" in origin for origin in host_config(stack.replicas[0].url)["allowedOrigins"])
    assert host_config(stack.url)["allowedOrigins"] == []


def test_readiness_probe_is_only_on_the_replicas(stack: Stack) -> None:
    assert fetch(f"{stack.origin}/readyz")[0] == 404
    assert all(fetch(replica.root_url + "readyz")[0] == 200 for replica in stack.replicas)


async def _handshake(url: str, origin: str) -> str:
    try:
        async with Session(url, origin=origin) as session:
            await session.run(timeout=20)
            result = await session.run(COVERED, timeout=20)
            return "answered" if any("months" in text for text in result.texts) else f"no answer: {result.texts}"
    except websockets.exceptions.InvalidStatus as error:
        return str(error.response.status_code)


def test_websocket_only_from_the_chat_origin(stack: Stack) -> None:
    assert asyncio.run(_handshake(stack.url, "https://evil.example")) == "403"
    assert (
        asyncio.run(_handshake(stack.url, PORTAL_ORIGIN)) == "403"
    )  # the portal frames the chat, it does not drive it
    assert asyncio.run(_handshake(stack.url, stack.origin)) == "answered"


def test_a_client_hammering_the_websocket_is_rate_limited(stack: Stack) -> None:
    statuses = [fetch(stack.url + "_stcore/stream", {"Origin": stack.origin})[0] for _ in range(30)]
    assert statuses[0] != 429, statuses
    assert 429 in statuses, statuses


def test_a_waiting_room_behind_one_address_gets_every_page_file(stack: Stack, browser: Any) -> None:
    """Five patients on the clinic's Wi-Fi open the chat at once: one address, five first visits.

    A 429 on any of the page's static files breaks that patient's page, so none may be refused.
    """
    context = browser.new_context()
    page = context.new_page()
    files: list[str] = []
    page.on("request", lambda request: files.append(request.url) if "/static/" in request.url else None)
    page.goto(stack.url)
    wait_for_page(page)
    context.close()
    assert len(files) > 30, files
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: fetch(url)[0], files * 5))
    assert statuses.count(200) == len(statuses), sorted(set(statuses))


def _frame_shows_chat(page: Any, timeout_ms: float) -> bool:
    with contextlib.suppress(Exception):
        page.frame_locator("iframe#clinic-chat").locator(INPUT).wait_for(timeout=timeout_ms)
        return True
    return False


def test_portal_origin_can_frame_the_chat_and_another_cannot(stack: Stack, browser: Any, portal: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(portal_url(portal, stack.url))
    frame = page.frame_locator("iframe#clinic-chat")
    wait_for_page(frame)
    assert "Source:" in ask(frame, COVERED).inner_text()
    context.close()
    with portal_server() as elsewhere:  # the same portal page, served from another origin (another port)
        context = browser.new_context()
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda message: blocked.append(message.text) if "frame-ancestors" in message.text else None)
        page.goto(portal_url(elsewhere, stack.url))
        assert not _frame_shows_chat(page, 5_000)
        assert blocked, "Chromium did not report the frame-ancestors refusal"
        context.close()


def _routes_for_each_replica(stack: Stack) -> dict[str, str]:
    """A route cookie value that nginx sends to each replica (found by asking, so the test is deterministic)."""
    routes: dict[str, str] = {}
    for n in range(64):
        route = f"route-{n}"
        fetch(stack.url + "_stcore/health", {"Cookie": f"patient_chat_route={route}"})
        time.sleep(0.05)
        port = stack.upstreams(r"_stcore/health$")[-1]
        routes.setdefault(port, route)
        if len(routes) == len(stack.replicas):
            return routes
    raise AssertionError(f"64 routes all went to {list(routes)}")


def test_both_replicas_serve_patients_and_each_browser_sticks_to_one(stack: Stack, browser: Any) -> None:
    routes = _routes_for_each_replica(stack)
    for port, route in routes.items():
        before = len(stack.upstreams(r"_stcore/stream$"))
        context = browser.new_context()
        context.add_cookies([{"name": "patient_chat_route", "value": route, "url": stack.url}])
        page = context.new_page()
        page.goto(stack.url)
        wait_for_page(page)
        assert "Source:" in ask(page, COVERED).inner_text()
        page.goto(stack.url)  # a reload: the same browser, the same replica
        wait_for_page(page)
        context.close()
        time.sleep(0.3)
        streams = stack.upstreams(r"_stcore/stream$")[before:]
        assert streams and set(streams) == {port}, (port, streams)
    assert set(routes) == {str(replica.port) for replica in stack.replicas}
