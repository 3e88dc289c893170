"""Every unsafe route, read from the routes table (so routes added later are covered), refuses a
request without the session's CSRF token — before it reads or writes anything."""

from __future__ import annotations

import re

from starlette.routing import Route

from storefront.app import routes
from storefront.security import SAFE_METHODS
from storefront.settings import Settings

SAMPLE = {"id": "1", "str": "BT-AAAAAA", "slug": "x", "order_number": "BT-AAAAAA", "path": "x"}
EXEMPT = ("/payments/webhook/",)  # called by the payment provider's servers: verified by signature instead


def unsafe_routes():
    for route in routes(Settings(secret_key="x")):
        if isinstance(route, Route) and not route.path.startswith(EXEMPT):
            for method in sorted((route.methods or set()) - SAFE_METHODS):
                path = re.sub(r"{(\w+)(?::(\w+))?}", lambda m: SAMPLE[m.group(2) or "str"], route.path)
                yield method, path


def test_there_are_unsafe_routes_to_check():
    assert len(list(unsafe_routes())) > 30


async def test_every_unsafe_route_refuses_a_missing_or_wrong_token(client):
    await client.get("/")  # a session with a token exists; the requests below do not carry it
    for method, path in unsafe_routes():
        missing = await client.request(method, path, data={"quantity": "1"})
        forged = await client.request(method, path, data={"csrf_token": "forged"}, headers={"X-CSRF-Token": "x"})
        assert missing.status_code == forged.status_code == 403, (method, path)
