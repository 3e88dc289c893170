"""`make bench-pages`: what a phone downloads on a first view of the shop, and Lighthouse's mobile scores.

    python -m bench.pages [--runs 3] [--no-lighthouse] [--keep]

Serves a fresh demo shop (`storefront migrate`, `storefront seed --demo`, `storefront serve` on a free
loopback port, DEBUG=1 because it is plain HTTP), then:

1. Page weight: home, a category listing and a product page, each in a fresh Chromium context (empty
   cache, no cookies) on the project's phone profile (the e2e tests' iPhone 13). Bytes on the wire per
   resource type are the response sizes as transferred (headers + body as sent, compressed if it was),
   from the DevTools protocol's `Network.loadingFinished.encodedDataLength`. Also: requests, the
   scripts on the page (htmx should be the only one), web fonts (there should be none).
2. Lighthouse (npm `lighthouse`, version locked in bench/lighthouse/package-lock.json, installed with
   `npm ci` into var/lighthouse/) on the system Chromium, default mobile settings (simulated slow 4G
   and CPU throttling), for home, listing, product, cart (with one item) and checkout (with it).
   Each page --runs times; the median score of each category is reported.

Prints a table, writes bench/results/pages-<date>.json and stops everything it started (the server,
Lighthouse and the Chromium it launches) in a `finally`, on errors and Ctrl-C too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from bench.run import Processes as _Processes
from bench.run import free_port, in_work_dir, loadavg, machine, wait_ready

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
LOCK_DIR = Path(__file__).resolve().parent / "lighthouse"  # package.json + package-lock.json, committed
LIGHTHOUSE_DIR = ROOT / "var" / "lighthouse"  # where `npm ci` installs them (git-ignored)
PYTHON = sys.executable

BUDGET_BYTES = 60_000  # issue 6: first view of a listing or product page ≤ 60 KB, product images excluded
TYPES = ("document", "stylesheet", "script", "image", "font", "other")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SCORE_BUDGET = {"performance": 95, "accessibility": 100, "best-practices": 100}
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
# The e2e tests' Chromium flags (tests/e2e/conftest.py): no calls home, no GPU, no sandbox (root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = "iPhone 13"


# --- processes ------------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


class Processes(_Processes):
    """bench.run's process groups, plus what escapes them: chrome-launcher starts Lighthouse's Chromium
    detached (a session of its own), so its processes are found as descendants before the group stops."""

    def stop(self, proc: subprocess.Popen) -> None:
        escaped = [p for p in _descendants(proc.pid) if _group(p) != proc.pid] if proc.poll() is None else []
        super().stop(proc)
        for pid in escaped:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


# --- the shop -------------------------------------------------------------------------------------


def shop_env(work: Path, port: int) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FORWARDED_ALLOW_IPS", "SMTP_URL", "BASE_URL"}
    }
    env.update(
        {
            "STOREFRONT_VAR": str(work),
            "DATABASE_URL": f"sqlite:///{work / 'storefront.db'}?busy_timeout=15000",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": "1",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "DEBUG": "1",  # plain HTTP on loopback: the session cookie must not be Secure
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


def pick_pages(browser, url: str) -> dict[str, str]:
    """home, the first category of the navigation, the first product of that listing."""
    context = browser.new_context(base_url=url)
    try:
        page = context.new_page()
        page.goto("/")
        listing = page.locator("nav.categories a[href^='/c/']").first.get_attribute("href")
        page.goto(listing)
        product = page.locator("main a[href^='/p/']").first.get_attribute("href")
    finally:
        context.close()
    return {"home": "/", "listing": listing, "product": product}


def phone_context(browser, playwright, url: str, **extra):
    device = dict(playwright.devices[PHONE])
    device.pop("default_browser_type", None)
    return browser.new_context(base_url=url, locale="en-GB", timezone_id="Europe/Rome", **device, **extra)


def cart_cookie(browser, playwright, url: str, product: str) -> str:
    """A shopper with one item in the cart, as Lighthouse will send it (a Cookie header)."""
    context = phone_context(browser, playwright, url)
    try:
        page = context.new_page()
        page.goto(product)
        page.locator("form.add-to-cart button[type=submit]").click()
        page.locator("#add-to-cart .added").wait_for()
        page.goto("/cart")
        if page.locator("main form[action^='/cart/lines/']").count() == 0:
            raise SystemExit("bench.pages: could not put an item in the cart")
        cookies = context.cookies()
    finally:
        context.close()
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


# --- page weight ----------------------------------------------------------------------------------


def weigh(browser, playwright, url: str, path: str) -> dict:
    """One first view on the phone: every response's transferred bytes, by type."""
    context = phone_context(browser, playwright, url)
    resources: dict[str, dict] = {}
    try:
        page = context.new_page()
        console_errors: list[str] = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        cdp = context.new_cdp_session(page)

        def sent(e):
            if e["request"]["url"].startswith("data:"):
                return
            rid = e["requestId"]
            if e.get("redirectResponse") and rid in resources:  # the redirect it follows was a request too
                hop = resources.pop(rid)
                hop.update(
                    status=e["redirectResponse"]["status"], bytes=int(e["redirectResponse"].get("encodedDataLength", 0))
                )
                resources[f"{rid}/{len(resources)}"] = hop
            resources[rid] = {"url": e["request"]["url"], "type": e.get("type", "Other"), "bytes": 0}

        def cached(e):
            if e["requestId"] in resources:
                resources[e["requestId"]]["from_cache"] = True

        def received(e):
            if e["requestId"] in resources:
                if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache"):
                    resources[e["requestId"]]["from_cache"] = True
                headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
                resources[e["requestId"]].update(
                    status=e["response"]["status"], type=e["type"], encoding=headers.get("content-encoding")
                )

        def finished(e):
            if e["requestId"] in resources:
                resources[e["requestId"]]["bytes"] = int(e["encodedDataLength"])  # headers + body as sent

        def failed(e):
            if e["requestId"] in resources:
                resources[e["requestId"]]["failed"] = e.get("errorText") or "failed"

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.requestServedFromCache", cached)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.loadingFailed", failed)
        cdp.send("Network.enable")
        response = page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
        status = response.status if response else None
        scripts = page.eval_on_selector_all("script", "els => els.map(e => e.src || '(inline)')")
        font_faces = page.evaluate("() => [...document.fonts].map(f => f.family)")
    finally:
        context.close()

    by_type = dict.fromkeys(TYPES, 0)
    product_images = requests = cache_hits = 0
    listed = []
    for r in resources.values():
        kind = r["type"].lower()
        kind = kind if kind in TYPES else "other"
        product_image = kind == "image" and urlsplit(r["url"]).path.startswith("/media/")
        if r.get("from_cache"):  # asked for twice in the same view (the logo as the icon): not on the wire
            cache_hits += 1
        else:
            requests += 1
        if product_image:
            product_images += r["bytes"]
        else:
            by_type[kind] += r["bytes"]
        listed.append(
            {
                "url": r["url"].removeprefix(url),
                "type": kind,
                "status": r.get("status"),
                "bytes": r["bytes"],
                "encoding": r.get("encoding"),
                "product_image": product_image,
                "from_cache": bool(r.get("from_cache")),
                **({"failed": r["failed"]} if r.get("failed") else {}),
            }
        )
    own = sum(by_type.values())
    script_urls = [urlsplit(s).path for s in scripts]
    return {
        "path": path,
        "status": status,
        "bytes_by_type": by_type,
        "product_image_bytes": product_images,
        "bytes_excluding_product_images": own,
        "bytes_total": own + product_images,
        "requests": requests,
        "cache_hits": cache_hits,
        "scripts": script_urls,
        "htmx_only_script": len(script_urls) == 1 and "htmx" in script_urls[0],
        "font_requests": sum(1 for r in listed if r["type"] == "font"),
        "font_faces": font_faces,
        "within_budget": own <= BUDGET_BYTES,
        "console_errors": console_errors,
        "resources": sorted(listed, key=lambda r: -r["bytes"]),
    }


# --- Lighthouse -----------------------------------------------------------------------------------


def install_lighthouse(procs: Processes) -> Path:
    """`npm ci` of the committed lock into var/lighthouse/, again whenever the lock changes."""
    cli = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    lock = (LOCK_DIR / "package-lock.json").read_bytes()
    installed = LIGHTHOUSE_DIR / "package-lock.json"
    if cli.exists() and installed.exists() and installed.read_bytes() == lock:
        return cli
    if not shutil.which("npm"):
        raise SystemExit("bench.pages: Lighthouse needs node and npm (or run with --no-lighthouse)")
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(LOCK_DIR / name, LIGHTHOUSE_DIR / name)
    print("bench.pages: installing Lighthouse (npm ci into var/lighthouse) ...", flush=True)
    procs.run(
        ["npm", "ci", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", "--loglevel=error"],
        os.environ.copy(),
        timeout=600,
    )
    return cli


ATTEMPTS = 3  # per Lighthouse run: its trace recording fails now and then on a busy machine


def lighthouse(
    procs: Processes, cli: Path, chromium: str, work: Path, url: str, name: str, runs: int, cookie: str | None
) -> dict:
    results, retried = [], 0
    for i in range(runs):
        out = work / f"lighthouse-{name}-{i + 1}.json"
        command = [
            "node",
            str(cli),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--form-factor=mobile",
            f"--only-categories={','.join(CATEGORIES)}",
            "--no-enable-error-reporting",
            "--chrome-flags=--headless=new --no-sandbox",
        ]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                procs.run(command, {**os.environ, "CHROME_PATH": chromium}, timeout=300)
                break
            except SystemExit as failure:  # Lighthouse itself says "run Lighthouse again" (NO_NAVSTART)
                if attempt == ATTEMPTS:
                    raise
                retried += 1
                print(f"bench.pages: Lighthouse run failed, again: {str(failure).strip().splitlines()[-1]}", flush=True)
        results.append(_lighthouse_summary(json.loads(out.read_text())))
    scores = {c: statistics.median(r["scores"][c] for r in results) for c in CATEGORIES}
    failing: dict[str, dict] = {}
    for r in results:
        for audit in r["failing"]:
            entry = failing.setdefault(audit["id"], {**audit, "runs": 0})
            entry["runs"] += 1
    return {
        "url": url,
        "final_url": results[-1]["final_url"],
        "runs": runs,
        "retried": retried,
        "scores": scores,
        "scores_each_run": [r["scores"] for r in results],
        "metrics": {m: statistics.median(r["metrics"][m] for r in results) for m in METRICS},
        "total_byte_weight": statistics.median(r["total_byte_weight"] for r in results),
        "failing_audits": sorted(failing.values(), key=lambda a: (a["category"], a["id"])),
        "lighthouse": results[-1]["version"],
        "chromium": results[-1]["user_agent"],
    }


def _lighthouse_summary(report: dict) -> dict:
    audits = report["audits"]
    failing = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if (
                audit.get("score") is None
                or audit["score"] >= 1
                or audit.get("scoreDisplayMode") in ("informative", "notApplicable", "manual")
            ):
                continue
            if category == "performance" and not ref.get("weight") and audit["score"] >= 0.9:
                continue  # a passing diagnostic
            items = (audit.get("details") or {}).get("items") or []
            failing.append(
                {
                    "category": category,
                    "id": ref["id"],
                    "title": audit["title"],
                    "score": audit["score"],
                    "weight": ref.get("weight", 0),
                    "value": audit.get("displayValue", ""),
                    "items": [_item(i) for i in items[:5]],
                }
            )
    return {
        "scores": {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES},
        "metrics": {m: audits[m].get("numericValue") for m in METRICS},
        "total_byte_weight": audits["total-byte-weight"].get("numericValue"),
        "failing": failing,
        "final_url": report.get("finalDisplayedUrl"),
        "version": report.get("lighthouseVersion"),
        "user_agent": (report.get("environment") or {}).get("hostUserAgent"),
    }


def _item(item: dict) -> str:
    node = item.get("node") or {}
    text = node.get("snippet") or item.get("url") or item.get("source", {}).get("url") or json.dumps(item)[:200]
    explanation = node.get("explanation")
    return f"{text} — {explanation}" if explanation else str(text)


# --- the table ------------------------------------------------------------------------------------


def _kb(n: float) -> str:
    return f"{n / 1000:.1f}"


def table(report: dict) -> str:
    lines = []
    weight = report.get("weight") or {}
    if weight:
        lines += [
            "First view on a phone (kB on the wire, 1 kB = 1000 bytes; fresh cache):",
            "",
            (
                "| page | document | stylesheet | script | image | font | other | total excl. product images | "
                "product images | requests | scripts | web fonts |"
            ),
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|",
        ]
        for name, w in weight.items():
            t = w["bytes_by_type"]
            own = _kb(w["bytes_excluding_product_images"])
            own = own if w["within_budget"] else f"**{own}**"
            lines.append(
                f"| {name} `{w['path']}` | "
                + " | ".join(_kb(t[k]) for k in TYPES)
                + f" | {own} | {_kb(w['product_image_bytes'])} | {w['requests']} | "
                f"{', '.join(Path(s).name for s in w['scripts']) or 'none'} | {w['font_requests']} |"
            )
        lines.append("")
    scores = report.get("lighthouse") or {}
    if scores:
        lines += [
            (
                f"Lighthouse {next(iter(scores.values()))['lighthouse']} mobile"
                f" (median of {report['settings']['runs']} run(s); FCP/LCP/SI/TBT in ms, simulated throttling):"
            ),
            "",
            "| page | performance | accessibility | best practices | SEO | FCP | LCP | SI | TBT | CLS |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for name, lh in scores.items():
            cells = []
            for c in CATEGORIES:
                s = lh["scores"][c]
                cells.append(f"{s:g}" if s >= SCORE_BUDGET.get(c, 0) else f"**{s:g}**")
            m = lh["metrics"]
            lines.append(
                f"| {name} | "
                + " | ".join(cells)
                + f" | {m['first-contentful-paint']:.0f} | {m['largest-contentful-paint']:.0f} | "
                f"{m['speed-index']:.0f} | {m['total-blocking-time']:.0f} | {m['cumulative-layout-shift']:.3f} |"
            )
        lines.append("")
    lines += budgets(report)
    return "\n".join(lines)


def budgets(report: dict) -> list[str]:
    """Issue 6's budgets, page by page, then every Lighthouse audit that did not pass."""
    missed, audits = [], []
    for name, w in (report.get("weight") or {}).items():
        if not w["within_budget"]:
            missed.append(
                f"{name}: {_kb(w['bytes_excluding_product_images'])} kB on the wire without product "
                f"images (budget {_kb(BUDGET_BYTES)} kB)"
            )
        if not w["htmx_only_script"]:
            missed.append(f"{name}: scripts {w['scripts']} (htmx should be the only one)")
        if w["font_requests"] or w["font_faces"]:
            missed.append(f"{name}: web fonts {w['font_faces']} ({w['font_requests']} requests)")
        if w["console_errors"]:
            missed.append(f"{name}: errors in the console {w['console_errors'][:3]}")
    for name, lh in (report.get("lighthouse") or {}).items():
        for category, least in SCORE_BUDGET.items():
            if lh["scores"][category] < least:
                missed.append(f"{name}: Lighthouse {category} {lh['scores'][category]:g} (budget {least})")
        for audit in lh["failing_audits"]:
            audits.append(
                f"{name}: {audit['category']} · {audit['id']} (score {audit['score']}) {audit['value']} "
                f"in {audit['runs']} of {lh['runs']} runs"
                + "".join(f"\n    {' '.join(i.split())[:200]}" for i in audit["items"][:3])
            )
    out = ["Budgets missed:" if missed else "Budgets: every page within its budgets."]
    out += [f"  {line}" for line in missed]
    if audits:
        out += ["", "Lighthouse audits that did not pass (any run):"] + [f"  {line}" for line in audits]
    return out


# --- the run --------------------------------------------------------------------------------------


def run(args, procs: Processes, work: Path) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    report: dict = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": args.command,
        "settings": {
            "phone": PHONE,
            "runs": args.runs,
            "budget_bytes": BUDGET_BYTES,
            "score_budget": SCORE_BUDGET,
            "server": "storefront serve, 1 worker, DEBUG=1, demo catalogue (storefront seed --demo)",
            "chromium": chromium,
        },
        "machine": machine(),
        "loadavg_before": loadavg(),
    }
    cli = None if args.no_lighthouse else install_lighthouse(procs)
    if cli:
        report["settings"]["node"] = procs.run(["node", "--version"], os.environ.copy(), timeout=30).strip()

    port = free_port()
    env = shop_env(work, port)
    storefront = str(Path(PYTHON).parent / "storefront")
    procs.run([storefront, "migrate"], env, timeout=300)
    procs.run([storefront, "seed", "--demo"], env, timeout=300)
    log = work / "shop.log"
    shop = procs.start([storefront, "serve"], env, log)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, shop, log)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(args=CHROMIUM_ARGS, executable_path=chromium or None)
        chromium = chromium or playwright.chromium.executable_path  # Playwright's own, for Lighthouse too
        report["settings"]["chromium"] = f"{chromium} ({browser.version})"
        try:
            pages = pick_pages(browser, url)
            report["pages"] = pages
            # Each template is compiled on its first request: warm up so no measurement pays for it.
            warm = browser.new_context(base_url=url)
            for path in pages.values():
                warm.new_page().goto(path)
            warm.close()
            weight = report["weight"] = {}
            for name, path in pages.items():
                print(f"bench.pages: weighing {name} {path} ...", flush=True)
                weight[name] = weigh(browser, playwright, url, path)
            cookie = cart_cookie(browser, playwright, url, pages["product"]) if cli else None
        finally:
            browser.close()

    if cli:
        scores = report["lighthouse"] = {}
        targets = {**pages, "cart": "/cart", "checkout": "/checkout"}
        for name, path in targets.items():
            print(f"bench.pages: Lighthouse {name} {path} ({args.runs} run(s)) ...", flush=True)
            scores[name] = lighthouse(
                procs,
                cli,
                chromium,
                work,
                url + path,
                name,
                args.runs,
                cookie if name in ("cart", "checkout") else None,
            )
            final = urlsplit(scores[name]["final_url"] or "").path
            if final != path:
                print(f"bench.pages: WARNING {path} ended on {final}", flush=True)

    procs.stop(shop)
    report["server_tracebacks"] = log.read_text().count("Traceback")
    report["loadavg_after"] = loadavg()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=int(os.environ.get("RUNS", "3")),
        help="Lighthouse runs per page; the median score is reported (default 3)",
    )
    parser.add_argument("--no-lighthouse", action="store_true", help="page weight only (no node needed)")
    parser.add_argument("--chromium", default=os.environ.get("CHROME_PATH"), help="default: chromium on PATH")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (Lighthouse reports, log)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the table of an earlier run, and stop")
    args = parser.parse_args(argv)
    if args.report:
        print(table(json.loads(args.report.read_text())))
        return 0
    args.command = "python -m bench.pages " + " ".join(argv if argv is not None else sys.argv[1:])

    report = in_work_dir("storefront-pages-", args.keep, Processes(), lambda procs, work: run(args, procs, work))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"pages-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print()
    print(table(report))
    if report["server_tracebacks"]:
        print(f"WARNING: {report['server_tracebacks']} tracebacks in the server log")
    print(f"\nwritten: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
