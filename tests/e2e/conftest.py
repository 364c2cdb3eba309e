"""Browser tests: the real server in a subprocess and the system Chromium (Python Playwright).

The server gets its own SQLite database (migrated, demo branch loaded) and a free port; the
PWA is served from pwa/dist as in production. Chromium is the system one (/usr/bin/chromium):
Playwright never downloads a browser here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Geolocation,
    Page,
    Playwright,
    sync_playwright,
)

from tests.phone import Phone

ROOT = Path(__file__).resolve().parents[2]
PWA = ROOT / "pwa"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# Near the demo branch (Lingcheng, Dezhou), WGS-84.
PHONE_POSITION = Geolocation(latitude=37.3357, longitude=116.5766, accuracy=15)


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str
    log: Path
    dist: Path


def _fieldvisit() -> str:
    """The `fieldvisit` command of the interpreter running the tests (the project's venv)."""
    candidate = Path(sys.executable).parent / "fieldvisit"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("fieldvisit")
    if not found:
        pytest.fail("the `fieldvisit` command is not installed; run `make install`")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_pwa_built() -> None:
    if (PWA / "dist" / "index.html").is_file() and (PWA / "dist" / "sw.js").is_file():
        return
    if not (PWA / "node_modules").is_dir():
        pytest.fail("pwa/dist is missing and pwa/node_modules too; run `make install`")
    subprocess.run(["npm", "run", "build"], cwd=PWA, check=True, capture_output=True, timeout=300)


@contextmanager
def _serve(tmp: Path) -> Iterator[Server]:
    """A migrated database with the demo branch, a private copy of the build, and
    `fieldvisit serve` on a free port, stopped afterwards."""
    database_url = f"sqlite:///{tmp / 'e2e.db'}"
    # A private copy of the build: a test may publish a "new version" of the app in it.
    dist = tmp / "dist"
    shutil.copytree(PWA / "dist", dist)
    env = {
        **os.environ,
        "FIELDVISIT_DATABASE_URL": database_url,
        "FIELDVISIT_ENV": "development",
        "FIELDVISIT_PWA_DIST": str(dist),
    }
    command = _fieldvisit()
    for step in ("migrate", "demo"):
        subprocess.run(
            [command, step], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300
        )
    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited early:\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /api/v1/health:\n{log.read_text()}")
            time.sleep(0.2)
        yield Server(base_url=base_url, database_url=database_url, log=log, dist=dist)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _ensure_pwa_built()
    with _serve(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The manager console's tests get a server of their own (its own demo database), so
    the SOS, plans and decisions they make never show up in the officer tests' checks."""
    _ensure_pwa_built()
    with _serve(tmp_path_factory.mktemp("e2e-console")) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `make system-deps`")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Chromium logs a refused load as "Refused to ... Content Security Policy ..."; the page's
# `securitypolicyviolation` event is logged too, so a violation is never silent.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI}`);
});
"""


def _watch_csp(context: BrowserContext) -> list[str]:
    """Every Content-Security-Policy violation reported in the context's console log."""
    violations: list[str] = []
    context.add_init_script(_REPORT_CSP_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            violations.append(f"{message.page.url if message.page else '?'}: {text}")

    context.on("console", on_console)
    return violations


def _assert_no_csp_violation(violations: list[str]) -> None:
    assert not violations, "CSP violations in the console:\n" + "\n".join(violations)


def _phone_context(browser: Browser, server: Server) -> BrowserContext:
    """A cheap Android phone: 360x740, touch, Chinese, GPS granted."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=server.base_url,
        service_workers="allow",
    )
    context.grant_permissions(["geolocation"], origin=server.base_url)
    context.set_geolocation(PHONE_POSITION)
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    context = _phone_context(browser, server)
    violations = _watch_csp(context)
    yield context
    context.close()
    _assert_no_csp_violation(violations)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def desk(browser: Browser, console_server: Server) -> Iterator[BrowserContext]:
    """A manager's desktop browser: 1440x900, Chinese."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=console_server.base_url,
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    violations = _watch_csp(context)
    yield context
    context.close()
    _assert_no_csp_violation(violations)


@pytest.fixture
def console_phone(browser: Browser, console_server: Server) -> Iterator[BrowserContext]:
    """An officer's phone (as `phone`) on the console tests' server."""
    context = _phone_context(browser, console_server)
    violations = _watch_csp(context)
    yield context
    context.close()
    _assert_no_csp_violation(violations)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the app's own form (phone or console alike)."""
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("button[type=submit]").click()


def api_phone(server: Server, username: str, password: str = "demo-officer") -> Phone:
    """A phone as the sync protocol sees it (tests/phone.py), signed in and pulled."""
    client = httpx.Client(base_url=server.base_url, timeout=60)
    phone = Phone(client, username, password).sign_in()
    phone.pull()
    return phone
