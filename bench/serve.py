"""uvicorn with the options of `storefront serve` (storefront/cli.py), for any app factory:

    python -m bench.serve bench.ceiling:create_app          # HOST, PORT, WORKERS as for serve
    BENCH_NAGLE=1 python -m bench.serve storefront.app:create_app

The ceiling runs through here so that it gets the shop's server settings, TCP_NODELAY included (see
storefront.cli.NoDelayProtocol). BENCH_NAGLE=1 reproduces the server before that fix, for comparison.
"""

from __future__ import annotations

import os
import sys

from storefront.cli import server_options
from storefront.settings import Settings


def main(app: str) -> None:
    import uvicorn

    settings = Settings.from_env()
    nagle = os.environ.get("BENCH_NAGLE") == "1"
    print(f"Serving {app} at http://{settings.host}:{settings.port}{' (Nagle, as before the fix)' if nagle else ''}",
          flush=True)
    # Production (storefront serve) sets TCP_NODELAY; "auto" reproduces the server before that fix.
    uvicorn.run(app, **{**server_options(settings), **({"http": "auto"} if nagle else {})})

if __name__ == "__main__":
    main(sys.argv[1])
