"""`storefront serve` for any app factory, so that the ceiling gets the shop's server (storefront/server.py):

python -m bench.serve bench.ceiling:create_app          # HOST, PORT, WORKERS as for serve
"""

from __future__ import annotations

import sys

from storefront import server
from storefront.settings import Settings

if __name__ == "__main__":
    print(f"Serving {sys.argv[1]}", flush=True)
    sys.exit(server.serve(Settings.from_env(), sys.argv[1]))
