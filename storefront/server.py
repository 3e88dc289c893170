"""`storefront serve`: uvicorn workers, each accepting connections on a listening socket of its own.

uvicorn's --workers share one socket, and whichever worker wakes first accepts every connection waiting
(asyncio accepts up to the backlog per wake-up): a burst of keep-alive connections all land on one
worker while the other idles. `make bench` saw 1.0 server core busy of 2 at 16 connections.
With SO_REUSEPORT each worker binds a socket of its own to the same address and the kernel spreads new
connections across them. The price: the kernel spreads them whether or not a worker is busy, so a
worker stuck on a long request still gets its share of new connections.

uvicorn's own supervisor still runs the workers (restarting any that dies or stops answering its
health check, SIGHUP to replace them all, SIGTTIN/SIGTTOU to add or remove one). It hands each new
worker the parent's socket by pickling it; `_OwnSocket` pickles as "bind another socket to this
address", so each worker unpickles a socket of its own. The parent's socket is bound, never listening:
it holds the port and fails early when the port is taken.
"""

from __future__ import annotations

import logging
import socket

from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from storefront.settings import Settings

logger = logging.getLogger("uvicorn.error")
APP = "storefront.app:create_app"
REUSE_PORT = hasattr(socket, "SO_REUSEPORT")


def options(settings: Settings) -> dict:
    """uvicorn's options for production (also the benchmark's, so it measures the same server)."""
    return {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "server_header": False,
        "access_log": settings.debug,
        "log_level": "info",
    }


class _OwnSocket(socket.socket):
    """A socket that, sent to a worker process, arrives as a new socket bound to the same address."""

    def __reduce__(self):
        return bound_socket, self.getsockname()[:2]


def bound_socket(host: str, port: int, kind: type[socket.socket] = socket.socket) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections of a socket that says it is TCP.
    # Without it every keep-alive request after the first waited ~40 ms for the client's delayed ACK.
    sock = kind(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if REUSE_PORT:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve(settings: Settings, app: str = APP) -> int:
    """Serve `app` (an app factory's import path) until SIGINT or SIGTERM. Returns the exit status: 0,
    or STARTUP_FAILURE when the server could not start."""
    config = Config(app, **options(settings))
    if settings.workers == 1:
        server = Server(config)
        server.run()
        return 0 if server.started else STARTUP_FAILURE
    try:
        # Without SO_REUSEPORT (Windows) the workers share the parent's socket, as uvicorn's do.
        sock = bound_socket(settings.host, settings.port, _OwnSocket if REUSE_PORT else socket.socket)
    except OSError as exc:
        logger.error(f"cannot listen on {settings.host}:{settings.port}: {exc}")
        return STARTUP_FAILURE
    logger.info(
        f"{settings.workers} workers on http://{settings.host}:{settings.port}"
        f"{', each with its own socket' if REUSE_PORT else ''}"
    )
    with sock:
        Multiprocess(config, sockets=[sock]).run()
    return 0
