"""uvicorn with the options of `storefront serve` (storefront/cli.py), for any app factory:

    python -m bench.serve bench.ceiling:create_app          # HOST, PORT, WORKERS as for serve
    BENCH_NODELAY=1 python -m bench.serve storefront.app:create_app

The ceiling runs through here so that it gets the shop's server settings. BENCH_NODELAY=1 is a
diagnostic, not production: it turns TCP_NODELAY on for every connection. uvicorn with --workers > 1
binds its listening socket with proto 0, so asyncio never sets TCP_NODELAY on accepted connections and
every keep-alive request after a connection's first waits ~40 ms for the client's delayed ACK (Nagle).
Upstream: https://github.com/Kludex/uvicorn/issues/3149 (open at uvicorn 0.54).
"""

from __future__ import annotations

import os
import socket
import sys

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from storefront.settings import Settings


class NoDelayProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def main(app: str) -> None:
    import uvicorn

    settings = Settings.from_env()
    nodelay = os.environ.get("BENCH_NODELAY") == "1"
    print(f"Serving {app} at http://{settings.host}:{settings.port}{' (TCP_NODELAY)' if nodelay else ''}", flush=True)
    uvicorn.run(
        app,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        reload=False,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,
        access_log=settings.debug,
        log_level="info",
        http="bench.serve:NoDelayProtocol" if nodelay else "auto",
    )


if __name__ == "__main__":
    main(sys.argv[1])
