"""`storefront serve`: uvicorn workers, each accepting connections on a listening socket of its own.

uvicorn's --workers share one socket, and whichever worker wakes first accepts every connection waiting
(asyncio accepts up to the backlog per wake-up): a burst of keep-alive connections all land on one
worker while the other idles. `make bench` saw 1.0 server core busy of 2 at 16 connections, p99 42–67 ms.
With SO_REUSEPORT each worker binds a socket of its own to the same address and the kernel spreads new
connections across them. The supervisor below starts the workers and replaces any that dies, as
uvicorn's does; a worker that cannot start (the port taken, the app broken) stops the server instead.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading

from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE

from storefront.settings import Settings

logger = logging.getLogger("uvicorn.error")
APP = "storefront.app:create_app"


def options(settings: Settings) -> dict:
    """uvicorn's options for production (also the benchmark's, so it measures the same server)."""
    return dict(
        factory=True,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,
        access_log=settings.debug,
        log_level="info",
    )


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on connections of a socket that says it is TCP.
    # Without it every keep-alive request after the first waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(app: str, settings: Settings) -> None:
    config = Config(app, **options(settings))
    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as exc:
        logger.error(f"cannot listen on {settings.host}:{settings.port}: {exc}")
        raise SystemExit(STARTUP_FAILURE) from None
    server = Server(config)
    server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)


def serve(settings: Settings, app: str = APP) -> int:
    """Serve `app` (an app factory's import path) with settings.workers workers until SIGINT or SIGTERM.
    Returns the exit status: 0, or STARTUP_FAILURE when a worker could not start."""
    if settings.workers == 1:
        server = Server(Config(app, host=settings.host, port=settings.port, **options(settings)))
        server.run()
        return 0 if server.started else STARTUP_FAILURE

    Config(app, **options(settings))  # configures uvicorn's logging here too
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def start() -> multiprocessing.process.BaseProcess:
        worker = spawn.Process(target=_worker, args=(app, settings), daemon=False)
        worker.start()
        return worker

    workers = [start() for _ in range(settings.workers)]
    logger.info(f"Started {len(workers)} workers on http://{settings.host}:{settings.port}, each with its own socket")
    status = 0
    while not stop.wait(0.5):
        for i, worker in enumerate(workers):
            if worker.is_alive():
                continue
            if worker.exitcode == STARTUP_FAILURE:
                logger.error(f"Worker [{worker.pid}] could not start; stopping.")
                status = STARTUP_FAILURE
                stop.set()
                break
            logger.warning(f"Worker [{worker.pid}] died ({worker.exitcode}); starting another.")
            workers[i] = start()
    for worker in workers:
        if worker.is_alive():
            worker.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.kill()
            worker.join()
    return status
