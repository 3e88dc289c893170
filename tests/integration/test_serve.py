"""`storefront serve` with several workers, as an operator runs it (storefront/server.py).

A burst of keep-alive connections is shared by the workers (each has its own SO_REUSEPORT socket), where
one shared socket let the first worker to wake accept them all while the others idled. A server that
cannot start says why and exits, rather than restarting workers forever.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.shop import (
    free_port,
    serve,
    served_shop_env,
    wait_until_up,
    workers,
)

WORKERS = 2
BURST = 16


ESTABLISHED, LISTEN = "01", "0A"  # states in /proc/net/tcp


def sockets_on(pid: int, port: int, state: str) -> int:
    """How many TCP sockets on local `port` in `state` the process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


def test_a_burst_of_connections_is_shared_by_the_workers(tmp_path):
    port = free_port()
    with served_shop_env(tmp_path, "serve", port, WORKERS) as env, open(tmp_path / "server.log", "w") as log:
        server = serve(env, log)
        clients = []
        try:
            wait_until_up(f"http://127.0.0.1:{port}", server)
            deadline = time.monotonic() + 20  # the first worker up answers before the other listens
            while sum(sockets_on(pid, port, LISTEN) for pid in workers(server.pid)) < WORKERS:
                assert time.monotonic() < deadline, "the workers did not all listen"
                time.sleep(0.05)
            # Opened all at once, as a browser with several tabs or a load balancer's pool does.
            burst = [socket.socket() for _ in range(BURST)]
            for sock in burst:
                sock.setblocking(False)
                sock.connect_ex(("127.0.0.1", port))
            for sock in burst:
                sock.setblocking(True)
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                client.sock = sock
                clients.append(client)
            for client in clients:
                client.request("GET", "/healthz")
                response = client.getresponse()
                assert response.status == 200
                response.read()  # the connection stays open (keep-alive)
            held = {pid: sockets_on(pid, port, ESTABLISHED) for pid in workers(server.pid)}
            assert len(held) == WORKERS
            assert sum(held.values()) == BURST, held
            # The kernel hashes connections to the sockets: all 16 on one worker has odds of 2 in 65,536.
            assert min(held.values()) >= 1, f"one worker took every connection: {held}"
        finally:
            for client in clients:
                client.close()
            server.terminate()
            server.wait(timeout=30)
        assert server.returncode == 0
        assert "Traceback" not in (tmp_path / "server.log").read_text()


def test_a_server_that_cannot_listen_says_so_and_exits(tmp_path):
    port = free_port()
    with served_shop_env(tmp_path, "serve_taken", port, WORKERS) as env, socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "storefront.cli", "serve"], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 3, result.stdout + result.stderr
        assert "Address already in use" in result.stdout + result.stderr
        assert time.monotonic() - started < 30
