"""Browser journeys: a real ``microcred serve`` on a free loopback port, driven by Debian's Chromium.

The server gets its own SQLite file, outbox folder and demo register; screenshots go to
``test-output/screenshots/`` and every page is checked with axe-core (vendored in ``vendor/``).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from microcred.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
]


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]
    outbox: Path
    workdir: Path

    def cli(self, *args: str) -> str:
        """Run ``microcred`` against the served database; return its output, failing loudly on error."""
        done = subprocess.run(
            [str(BIN / "microcred"), *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"microcred {' '.join(args)} failed: {done.stdout}{done.stderr}"
        return done.stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does this)")
    workdir = tmp_path_factory.mktemp("served")
    port = free_port()
    outbox = workdir / "outbox"
    env = {
        **os.environ,
        "MICROCRED_DATABASE_URL": f"sqlite:///{workdir / 'microcred.db'}",
        "MICROCRED_OUTBOX_DIR": str(outbox),
        "MICROCRED_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MICROCRED_ENVIRONMENT": "development",
        "MICROCRED_LOG_LEVEL": "WARNING",
        # Every browser test's visitor comes from one loopback address: the per-client budgets (access links,
        # wallet apps, verifications) would start refusing the later tests' sign-ins in one session. The
        # budgets themselves are tested in tests/api/test_rate_limit_settings.py.
        "MICROCRED_ACCESS_LINK_CLIENT_BURST": "10000",
        "MICROCRED_WALLET_BURST": "10000",
        "MICROCRED_VERIFICATION_BURST": "10000",
    }
    served = Server(f"http://127.0.0.1:{port}", env, outbox, workdir)
    served.cli("init")
    served.cli("demo")
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "microcred"), "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{served.base_url}/healthz", process, workdir / "server.log")
        _warm_statistics(served.base_url)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _warm_statistics(base_url: str) -> None:
    """Build the statistics snapshot before the browser arrives.

    The first ``/statistics`` after the demo was loaded builds the snapshot (seconds on an idle machine, more
    than the browser's 30 s navigation timeout on a loaded two-core CI runner). The browser tests judge the
    pages, not that cold start, which ``benchmarks/bench_report.py`` measures; so the server gets it once here.
    """
    with urllib.request.urlopen(f"{base_url}/statistics", timeout=300) as answer:
        assert answer.status == 200, answer.status


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"microcred serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"microcred serve did not answer {url} within 60 s: {log.read_text()}")


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextlib.contextmanager
def browser_page(browser: Any, server: Server, *, locale: str, timeout_ms: int = 30_000) -> Iterator[Any]:
    """A page in a fresh browser context (its own cookies) with the browser set to ``locale``."""
    context = browser.new_context(base_url=server.base_url, locale=locale, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(timeout_ms)  # a loaded two-core CI runner, not a slow page
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    with browser_page(browser, server, locale="nl-BE") as opened:
        yield opened


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Served from the page's own origin: the register's CSP refuses inline scripts, as it should.
        page.route("**/__axe-under-test.js", lambda route: route.fulfill(path=str(AXE)))
        page.add_script_tag(url=page.evaluate("() => location.origin") + "/__axe-under-test.js")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    assert violations == [], json.dumps(violations, indent=2)


def newest_link(outbox: Path, address: str, *, wait_seconds: float = 20.0, opened: Collection[str] = ()) -> str:
    """The access link in the newest e-mail to ``address``, read from its plain-text part.

    The wallet page answers first and sends the e-mail in a background task (so the answer does not tell
    whether the address is known), so the message may land a moment after the page says it is on its way:
    poll the outbox instead of reading it once. A test that signs the same learner in again names the links
    it ``opened`` before, so it waits for the new e-mail rather than taking the last one.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        for message_file in sorted(outbox.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(message_file.read_bytes(), policy=email.policy.default)
            if message["To"] == address:
                text = message.get_body(preferencelist=("plain",))
                assert text is not None, message
                found = re.search(r"https?://\S+/wallet/open\?access=\S+", text.get_content())
                assert found, text.get_content()
                if found.group(0) not in opened:
                    return found.group(0)
                break
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail to {address} in {outbox} after {wait_seconds:.0f} s")
        time.sleep(0.1)
