"""uvicorn with the options of `storefront serve` (storefront/cli.py), for any app factory:

    python -m bench.serve bench.ceiling:create_app          # HOST, PORT, WORKERS as for serve
    BENCH_NAGLE=1 python -m bench.serve storefront.app:create_app

The ceiling runs through here so that it gets the shop's server settings, TCP_NODELAY included (see
storefront.cli.NoDelayProtocol). BENCH_NAGLE=1 reproduces the server before that fix, for comparison.
"""

from __future__ import annotations

import os
import sys

from storefront.settings import Settings


def main(app: str) -> None:
    import uvicorn

    settings = Settings.from_env()
    nagle = os.environ.get("BENCH_NAGLE") == "1"
    print(f"Serving {app} at http://{settings.host}:{settings.port}{' (Nagle, as before the fix)' if nagle else ''}",
          flush=True)
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
        # Production (storefront serve) now sets TCP_NODELAY; "auto" reproduces the old behaviour.
        http="auto" if nagle else "storefront.cli:NoDelayProtocol",
    )


if __name__ == "__main__":
    main(sys.argv[1])
