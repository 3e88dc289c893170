"""`make bench`: seed a fresh shop, serve it as in production, load it from another process, and compare
it with the ceiling (the same pages from memory). Prints a table, writes bench/results/<date>-<N>.json.

    python -m bench.run --products 1000 --duration 10 --connections 16 --workers 2

Everything it starts (servers, wrk, the asyncio client) runs in its own process group and is stopped
in a `finally`, on errors and Ctrl-C too. The temporary directory (database, logs) goes with it unless
--keep is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")

# Reads a JSON line at the end of a wrk run; `request` rotates through PATHS when there are several.
WRK_LUA = """
local paths = %s
local i = 0
if #paths > 1 then
  request = function()
    i = i + 1
    return wrk.format(nil, paths[(i %% #paths) + 1])
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"status":%%d,"timeout":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


# --- the machine ----------------------------------------------------------------------------------


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    wrk = shutil.which("wrk")
    return {
        "nproc": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "ram_gib": round(int(mem.group(1)) / 1024**2, 1) if mem else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": (
            subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout.split(" [")[0]
            if wrk
            else None
        ),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no", "--", "storefront", "static")),
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and every live descendant (the uvicorn workers)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


# --- processes ------------------------------------------------------------------------------------


class Processes:
    """Everything started, each in its own process group; stop() ends them all, hard if it must."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        with open(log, "w") as out:
            proc = subprocess.Popen(
                args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append(proc)
        return proc

    def run(self, args: list[str], env: dict, timeout: float) -> str:
        """A short-lived command in its own group: its output, or an error with it. Stopped however
        this ends (a timeout, Ctrl-C, SIGTERM), not only on success."""
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        self.started.append(proc)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"timed out after {timeout:.0f} s: {' '.join(args)}") from None
        finally:
            self.stop(proc)
            self.started.remove(proc)
        if proc.returncode:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{err[-3000:]}")
        return out

    def stop(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        try:  # workers left behind by a master that died first
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            self.stop(proc)
        self.started.clear()


def in_work_dir(prefix: str, keep: bool, procs: Processes, body):
    """body(procs, work) in a fresh temporary directory; however it ends (Ctrl-C and SIGTERM too),
    everything it started is stopped and the directory removed (unless kept)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return body(procs, work)
    finally:
        procs.stop_all()
        if keep:
            print(f"bench: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def settle(server: subprocess.Popen, timeout: float = 180) -> float:
    """Wait until the server is idle: a client that stops does not stop the requests already sent, and
    a slow scenario's backlog must not be billed to the next one. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = cpu_seconds(server.pid)
        time.sleep(1)
        if cpu_seconds(server.pid) - before < 0.1:  # under a tenth of a core
            break
    return time.monotonic() - started


def session_cookie(url: str) -> str:
    """A returning shopper's cookie (the session with its CSRF token), as wrk will send it."""
    with urllib.request.urlopen(url + "/", timeout=10) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("sf_session="):
                return header.split(";", 1)[0]
    raise SystemExit("the shop set no session cookie")


# --- load -----------------------------------------------------------------------------------------


def wrk(procs: Processes, work: Path, url: str, paths: list[str], seconds: float, args, cookie: str | None) -> dict:
    script = work / "wrk.lua"
    script.write_text(WRK_LUA % ("{" + ", ".join(json.dumps(p) for p in paths) + "}"))
    seconds = max(1, round(seconds))  # wrk takes whole seconds
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = procs.run([*command, url + paths[0]], os.environ.copy(), timeout=seconds + 60)
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_taken = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "per_second": raw["requests"] / seconds_taken,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"],
        "errors_detail": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
        "bytes_per_request": raw["bytes"] / max(1, raw["requests"]),
        "elapsed_s": seconds_taken,
        "driver": "wrk",
    }


def asyncio_load(procs: Processes, url: str, flow: str, params: dict, seconds: float, args) -> dict:
    out = procs.run(
        [
            PYTHON,
            "-m",
            "bench.load",
            url,
            flow,
            json.dumps(params),
            "--duration",
            f"{seconds:g}",
            "--connections",
            str(args.connections),
            "--max-requests",
            str(args.max_requests),
        ],
        os.environ.copy(),
        timeout=seconds + 120,
    )
    return json.loads(out)


def measure(
    procs: Processes,
    work: Path,
    server: subprocess.Popen,
    url: str,
    args,
    *,
    paths=None,
    flow=None,
    params=None,
    cookie=None,
) -> dict:
    """A warm-up (not recorded), then the measured run, with the server's CPU time around it."""
    use_wrk = paths is not None and args.wrk
    settled = settle(server)
    if args.warmup:
        if use_wrk:
            wrk(procs, work, url, paths, args.warmup, args, cookie)
        else:
            asyncio_load(
                procs, url, flow or "get", params or {"paths": paths, "cookie": bool(cookie)}, args.warmup, args
            )
    settled += settle(server)
    before_load, before_cpu, before_wall = loadavg(), cpu_seconds(server.pid), time.monotonic()
    if use_wrk:
        result = wrk(procs, work, url, paths, args.duration, args, cookie)
    else:
        raw = asyncio_load(
            procs, url, flow or "get", params or {"paths": paths, "cookie": bool(cookie)}, args.duration, args
        )
        main_step = {"get": "get", "add": "add to cart", "cart": "cart page"}.get(raw["flow"], "place order")
        step = raw["steps"].get(main_step, {"requests": 0, "per_second": 0, "p50_ms": None, "p99_ms": None})
        result = {
            "requests": raw["requests"],
            "per_second": (
                step["per_second"]
                if raw["flow"] in ("add", "cart", "get")
                else raw["timed_requests"] / raw["elapsed_s"]
            ),
            "p50_ms": step["p50_ms"],
            "p99_ms": step["p99_ms"],
            "errors": raw["errors"],
            "errors_detail": raw["errors_by_step"],
            "error_samples": raw["error_samples"],
            "steps": raw["steps"],
            "statuses": raw["statuses"],
            "elapsed_s": raw["elapsed_s"],
            "client_cpu_share": raw["client_cpu_s"] / raw["elapsed_s"],
            "driver": "asyncio (bench/load.py)",
        }
        if "orders" in raw["counts"] or raw["flow"].startswith("checkout"):
            result["orders"] = raw["counts"].get("orders", 0)
            result["orders_per_second"] = result["orders"] / raw["elapsed_s"]
    cpu = cpu_seconds(server.pid) - before_cpu
    result["server_cpu_ms_per_request"] = cpu * 1000 / max(1, result["requests"])
    result["server_cpu_share"] = cpu / (time.monotonic() - before_wall)  # in cores, set-up included
    result["loadavg_before"], result["loadavg_after"] = before_load, loadavg()
    result["settled_s"] = round(settled, 1)  # waited for the server to finish earlier requests
    return result


# --- the run --------------------------------------------------------------------------------------


def base_env(work: Path, port: int, workers: int, database_url: str | None = None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "FORWARDED_ALLOW_IPS", "SMTP_URL", "BASE_URL"}
    }
    env.update(
        {
            "STOREFRONT_VAR": str(work),
            "DATABASE_URL": database_url or f"sqlite:///{work / 'storefront.db'}?busy_timeout=15000&synchronous=NORMAL",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": str(workers),
            "PYTHONDONTWRITEBYTECODE": "1",
            # The load's checkouts come from one address and leave their orders unpaid: no cap on those.
            "UNPAID_ORDERS_PER_EMAIL": "1000000000",
            "UNPAID_ORDERS_PER_ADDRESS": "1000000000",
        }
    )
    return env


def bench(args, procs: Processes, work: Path) -> dict:
    shop_port, ceiling_port = free_port(), free_port()
    env = base_env(work, shop_port, args.workers, args.database_url)
    storefront = str(Path(PYTHON).parent / "storefront")
    report: dict = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": args.command,
        "settings": {
            "products": args.products,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "workers": args.workers,
            "wrk_threads": args.threads,
            "database": (
                "PostgreSQL" if args.database_url else "SQLite (file, busy_timeout=15000, synchronous=NORMAL)"
            ),
            "debug": False,
            "server": "storefront serve (production)",
        },
        "machine": machine(),
        "loadavg_before": loadavg(),
    }
    print(
        f"bench: {args.products} products, {args.duration:g} s per scenario, {args.connections} connections, "
        f"{args.workers} workers, {report['settings']['server']}; load average {report['loadavg_before']}",
        flush=True,
    )

    started = time.monotonic()
    procs.run([storefront, "migrate"], env, timeout=300)
    procs.run([storefront, "seed", "--products", str(args.products)], env, timeout=1800)
    report["seed_s"] = round(time.monotonic() - started, 1)
    print(f"bench: migrated and seeded in {report['seed_s']} s", flush=True)
    started = time.monotonic()
    prepared = json.loads(procs.run([PYTHON, "-m", "bench.prepare"], env, timeout=600))
    report["prepare_s"] = round(time.monotonic() - started, 1)
    params, scenarios, queries = prepared["params"], prepared["scenarios"], prepared["queries"]
    report["params"] = {k: v for k, v in params.items() if k not in ("pool", "spread_products")}
    report["queries"] = queries

    shop_url, ceiling_url = f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{ceiling_port}"
    shop_log, ceiling_log = work / "shop.log", work / "ceiling.log"
    shop = procs.start([storefront, "serve"], env, shop_log)
    ceiling_env = {
        **base_env(work, ceiling_port, args.workers, args.database_url),
        "SECRET_KEY": env["SECRET_KEY"],
        "BENCH_CEILING_PATHS": json.dumps([s["path"] for s in scenarios if s.get("ceiling")]),
    }
    ceiling = None
    if not args.no_ceiling:
        ceiling = procs.start([PYTHON, "-m", "bench.serve", "bench.ceiling:create_app"], ceiling_env, ceiling_log)
    wait_ready(shop_url, shop, shop_log)
    if ceiling:
        wait_ready(ceiling_url, ceiling, ceiling_log)
    cookie = session_cookie(shop_url)

    rows = report["scenarios"] = []
    selected = [s for s in scenarios if not args.only or re.search(args.only, s["name"])]
    # Shop and ceiling take turns per page, so a change in the machine's other load hits both alike.
    for s in selected:
        paths = s.get("paths") or [s["path"]]
        row = {
            "name": s["name"],
            "paths": paths[:3] + (["..."] if len(paths) > 3 else []),
            "queries": queries.get(s["name"]),
        }
        print(f"bench: {s['name']} ...", flush=True)
        row["shop"] = measure(
            procs, work, shop, shop_url, args, paths=paths, cookie=cookie if s.get("cookie", True) else None
        )
        if ceiling and s.get("ceiling"):
            row["ceiling"] = measure(procs, work, ceiling, ceiling_url, args, paths=paths, cookie=cookie)
            row["share_of_ceiling"] = row["shop"]["per_second"] / row["ceiling"]["per_second"]
            row["cpu_share_of_ceiling"] = (
                row["ceiling"]["server_cpu_ms_per_request"] / row["shop"]["server_cpu_ms_per_request"]
            )
        row["headline"] = bool(s.get("headline"))
        rows.append(row)

    flows = [
        ("add to cart (htmx)", "add", queries.get("add to cart", {}).get("mean")),
        ("cart page (3 lines)", "cart", queries.get("cart page (3 lines)")),
        ("checkout, hot product", "checkout-hot", queries.get("checkout", {}).get("per_order")),
        ("checkout, spread products", "checkout-spread", queries.get("checkout", {}).get("per_order")),
    ]
    for name, flow, q in flows:
        if args.only and not re.search(args.only, name):
            continue
        print(f"bench: {name} ...", flush=True)
        rows.append(
            {
                "name": name,
                "flow": flow,
                "queries": q,
                "shop": measure(procs, work, shop, shop_url, args, flow=flow, params=params),
            }
        )

    procs.stop(shop)
    if ceiling:
        procs.stop(ceiling)
    report["server_tracebacks"] = shop_log.read_text().count("Traceback")
    report["ceiling_tracebacks"] = ceiling_log.read_text().count("Traceback") if ceiling else 0
    report["loadavg_after"] = loadavg()
    return report


# --- the table ------------------------------------------------------------------------------------


def _ms(value) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def _queries(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict) and "first" in value:  # a catalogue page: first view after a change · again
        return f"{value['first']} · {value['again']}"
    if isinstance(value, dict):  # results files from before the catalogue was kept
        return f"{value['min']}–{value['max']}" if value["min"] != value["max"] else str(value["min"])
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _first_view(value) -> str:
    return _ms(value["first_ms"]) if isinstance(value, dict) and "first_ms" in value else ""


def table(report: dict) -> str:
    lines = [
        (
            "| scenario | req/s | p50 ms | p99 ms | errors | SQL/req | first view ms | server CPU ms/req"
            " | server cores |"
            " ceiling req/s | share of ceiling (req/s · CPU) |"
        ),
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in report["scenarios"]:
        shop = row["shop"]
        rate = f"{shop['per_second']:.0f}"
        if "orders_per_second" in shop:
            rate = f"{shop['orders_per_second']:.1f} orders/s ({shop['per_second']:.0f} req/s)"
        ceiling = row.get("ceiling")
        ceiling_cells = (
            f"{ceiling['per_second']:.0f} | {row['share_of_ceiling']:.0%} · {row['cpu_share_of_ceiling']:.0%}"
            if ceiling
            else " | "
        )
        name = f"**{row['name']}**" if row.get("headline") else row["name"]
        lines.append(
            f"| {name} | {rate} | {_ms(shop['p50_ms'])} | {_ms(shop['p99_ms'])} | {shop['errors']} | "
            f"{_queries(row['queries'])} | {_first_view(row['queries'])} | {shop['server_cpu_ms_per_request']:.1f} | "
            f"{shop['server_cpu_share']:.1f} | "
            f"{ceiling_cells} |"
        )
    return "\n".join(lines)


def summary(report: dict) -> str:
    s, m = report["settings"], report["machine"]
    out = [
        (
            f"{report['date']} · {s['products']} products · {s['connections']} connections · {s['workers']} workers · "
            f"{s['duration_s']:g} s per scenario (+{s['warmup_s']:g} s warm-up) · server: {s['server']}"
            f" · database: {s['database'].split(' ')[0]}"
        ),
        (
            f"machine: {m['nproc']} × {m['cpu']}, {m['ram_gib']} GiB RAM, Python {m['python']}, SQLite {m['sqlite']}, "
            f"{m['wrk'] or 'no wrk'}; commit {m['commit']}{' (+ local changes)' if m['dirty'] else ''}"
        ),
        (
            f"load average before {report['loadavg_before']}, after {report['loadavg_after']}; "
            f"seeded in {report['seed_s']} s"
        ),
        "",
        table(report),
        "",
    ]
    for row in report["scenarios"]:
        if row.get("headline") and "ceiling" in row:
            out.append(
                f"headline: {row['name']} at {row['share_of_ceiling']:.0%} of the ceiling's throughput "
                f"({row['cpu_share_of_ceiling']:.0%} by server CPU per request)"
            )
    if report["server_tracebacks"] or report["ceiling_tracebacks"]:
        out.append(
            f"WARNING: tracebacks in the server logs: shop {report['server_tracebacks']}, "
            f"ceiling {report['ceiling_tracebacks']}"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=int(env.get("PRODUCTS", 1000)))
    parser.add_argument("--duration", type=float, default=float(env.get("DURATION", 10)), help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before each (default: duration/5, ≤ 2)")
    parser.add_argument("--connections", type=int, default=int(env.get("CONNECTIONS", 16)))
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, for the shop and the ceiling")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (one leaves the cores to the servers)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per asyncio-driven scenario")
    parser.add_argument("--only", help="a regular expression: run only the scenarios whose name matches")
    parser.add_argument("--no-wrk", action="store_true", help="drive every scenario with the asyncio client")
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument(
        "--database-url",
        default=env.get("BENCH_DATABASE_URL"),
        help="an empty database to seed and serve (default: a fresh SQLite file);"
        " `make bench-postgres` passes a throw-away PostgreSQL one",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and server logs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the table of an earlier run, and stop")
    args = parser.parse_args(argv)
    if args.report:
        print(summary(json.loads(args.report.read_text())))
        return 0
    if not 1 <= args.products <= 100_000:
        parser.error("--products must be between 1 and 100000")
    args.warmup = min(2.0, args.duration / 5) if args.warmup is None else args.warmup
    args.wrk = bool(shutil.which("wrk")) and not args.no_wrk
    if not args.wrk and not args.no_wrk:
        print("bench: wrk not found; the asyncio client drives every scenario (it needs more CPU than wrk)")
    args.command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])

    report = in_work_dir("storefront-bench-", args.keep, Processes(), lambda procs, work: bench(args, procs, work))
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "-postgres" if args.database_url else ""
    path = args.out / f"{dt.date.today().isoformat()}-{args.products}{suffix}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print()
    print(summary(report))
    print(f"\nwritten: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
