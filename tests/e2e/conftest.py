"""Real Chromium against the real server: `storefront serve` in a subprocess on a free port, with the
demo shop seeded into a throw-away directory. Three shoppers: desktop, phone, and JavaScript off."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 5_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _storefront(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "storefront.cli", *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


class Inbox:
    """A real SMTP server the shop sends its emails to."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def find(self, to: str, subject_part: str, timeout: float = 15.0) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if message["To"] == to and subject_part in message["Subject"]:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no email to {to} about {subject_part!r}: {[m['Subject'] for m in self.messages]}")


@pytest.fixture(scope="session")
def inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def server_env(tmp_path_factory, inbox) -> dict:
    """The served shop's environment: run `python -m storefront.cli ...` with it to act on its database."""
    var = tmp_path_factory.mktemp("var")
    port = _free_port()
    return {
        **os.environ,
        "STOREFRONT_VAR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'shop.db'}?busy_timeout=15000",
        "SECRET_KEY": "e2e-secret",
        "PORT": str(port),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "UNPAID_ORDERS_PER_ADDRESS": "1000",  # every shopper of the suite comes from 127.0.0.1
        "SHOP_LANGUAGE": "en",  # English at the root: the suite reads the source messages; Italian under /it/
        **({} if "DEBUG" not in os.environ else {"DEBUG": ""}),
    }


@contextmanager
def served_shop(env: dict):
    """A demo shop migrated, seeded and served by `storefront serve` with `env`; its URL. The server's
    log must end without a traceback."""
    var = Path(env["STOREFRONT_VAR"])
    _storefront(env, "migrate")
    _storefront(env, "seed", "--demo")
    log = open(var / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "storefront.cli", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError((var / "server.log").read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        server_log = (var / "server.log").read_text()
        assert "Traceback" not in server_log, server_log


@pytest.fixture(scope="session")
def server(server_env) -> str:
    with served_shop(server_env) as url:
        yield url


def create_staff(env: dict, email: str, password: str, role: str = "owner") -> tuple[str, str]:
    """A staff account made the way an operator makes one: the CLI, the password on standard input."""
    subprocess.run(
        [sys.executable, "-m", "storefront.cli", "create-staff", email, "--role", role],
        input=password + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return email, password


def log_in(page: Page, account: tuple[str, str]) -> None:
    """On the staff login page (where /admin sends a visitor): email, password, "Log in"."""
    page.get_by_label("Email").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Log in").click()


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    return {
        **browser_type_launch_args,
        "args": CHROMIUM_ARGS,
        **({"executable_path": executable} if executable else {}),
    }


PROFILES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": "iPhone 13",
    "nojs": {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": False},
}


def _shopper(profile_name: str, browser: Browser, playwright, base_url: str, **overrides):
    profile = PROFILES[profile_name]
    if isinstance(profile, str):
        device = dict(playwright.devices[profile])
        device.pop("default_browser_type", None)
        profile = device
    profile = {"locale": "en-GB", **profile, **overrides}
    context = browser.new_context(base_url=base_url, timezone_id="Europe/Rome", **profile)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.profile = profile_name
    return context, page


@pytest.fixture(params=list(PROFILES))
def shopper(request, browser: Browser, playwright, base_url) -> Page:
    """A fresh shopper (own cookies) on one of the profiles; `shopper.profile` says which."""
    context, page = _shopper(request.param, browser, playwright, base_url)
    yield page
    context.close()


@pytest.fixture(params=["phone", "nojs"])
def buyer(request, browser: Browser, playwright, base_url) -> Page:
    """Checkout runs on a phone, and once without JavaScript."""
    context, page = _shopper(request.param, browser, playwright, base_url)
    yield page
    context.close()


@pytest.fixture
def phone_without_js(browser: Browser, playwright, base_url) -> Page:
    """A phone with JavaScript off: the phone's layout (filters folded away), plain forms. Its
    `profile` is "nojs", as that is what the tests' helpers ask about."""
    context, page = _shopper("phone", browser, playwright, base_url, java_script_enabled=False)
    page.profile = "nojs"
    yield page
    context.close()


expect.set_options(timeout=TIMEOUT_MS)
