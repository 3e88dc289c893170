"""Many shoppers race for the last units through HTTP on a multi-process server: never oversold,
stock never negative, and the stock ledger still sums to on-hand.

Runs on the database in TEST_SERVER_DATABASE_URL (PostgreSQL in `make test-postgres`), else on a
SQLite file, with 4 uvicorn workers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.integration.shop import free_port

ROOT = Path(__file__).resolve().parents[2]
SKU = "CAF-MOKA"  # a demo moka pot, sold in one version
UNITS = 5
SHOPPERS = 24
WORKERS = 4


def _run(env, *args) -> str:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    var = tmp_path_factory.mktemp("race")
    port = free_port()
    database_url = os.environ.get("TEST_SERVER_DATABASE_URL") or f"sqlite:///{var / 'shop.db'}?busy_timeout=15000"
    env = {
        **os.environ,
        "STOREFRONT_VAR": str(var),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "race",
        "PORT": str(port),
        "WORKERS": str(WORKERS),
        "DEBUG": "1",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SHOP_LANGUAGE": "en",  # as the unit tests: English at the root, which the shoppers below read
    }
    _run(env, "-m", "storefront.cli", "migrate")
    _run(env, "-m", "storefront.cli", "seed", "--demo")
    variant = json.loads(_run(env, "-m", "tests.integration.shop", "prepare", SKU, str(UNITS)))
    log = open(var / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "storefront.cli", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield {"url": url, "env": env, "variant_id": variant["variant_id"]}
    server.terminate()
    server.wait(timeout=15)
    log.close()
    server_log = (var / "server.log").read_text()
    assert "Traceback" not in server_log, server_log


def buy(url: str, variant_id: int, n: int) -> str:
    """One shopper: a cart with one unit, then checkout by bank transfer. Returns how it ended."""
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        page = client.get("/cart")
        token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        added = client.post("/cart/items", data={"csrf_token": token, "variant_id": variant_id, "quantity": 1})
        if added.status_code != 303 or "1 item" not in client.get("/cart").text:
            return "sold out before the cart"
        attempt = re.search(r'name="attempt" value="([^"]+)"', client.get("/checkout").text).group(1)
        placed = client.post(
            "/checkout",
            data={
                "csrf_token": token,
                "attempt": attempt,
                "email": f"racer{n}@example.com",
                "full_name": "Racer",
                "address": "Via Roma 1",
                "postal_code": "00100",
                "city": "Roma",
                "province": "RM",
                "country": "IT",
                "shipping_method": "standard",
                "payment_method": "bank_transfer",
            },
        )
        if placed.status_code == 303 and "/orders/BT-" in placed.headers["location"]:
            return "ordered"
        if placed.status_code == 303 and placed.headers["location"] == "/cart":
            return "told the cart changed"
        if placed.status_code == 422 and "sold out" in placed.text:
            return "told it sold out"
        return f"unexpected {placed.status_code}"


def test_the_last_units_are_never_oversold(shop):
    with ThreadPoolExecutor(max_workers=SHOPPERS) as pool:
        outcomes = list(pool.map(lambda n: buy(shop["url"], shop["variant_id"], n), range(SHOPPERS)))
    assert outcomes.count("ordered") == UNITS, outcomes
    assert not [o for o in outcomes if o.startswith("unexpected")], outcomes
    state = json.loads(_run(shop["env"], "-m", "tests.integration.shop", "report", SKU))
    assert state == {"stock": 0, "sold": UNITS, "ledger_mismatches": []}
