"""``make bench``: every page under real HTTP load, at scale 1 and scale 100, in one run.

For each scale it prepares a database of its own on the same PostgreSQL server (``kitb_bench_<N>``:
migrated, demo data, ``seed_bulk --scale N`` unless already there) and starts gunicorn (2 workers,
DEBUG off, cached templates, persistent connections) against it; it logs in as the right user for
each page and counts the SQL queries of one request in-process. Then it loads each page with wrk
(8 connections over loopback) at one scale right after the other, so both see the same machine.
Last, it times the digest build for 5,000 recipients.

It prints one table (page, requests/s, p50, p99, SQL queries per request as served under load and
cold, with every cached copy dropped, ratio to the bare view) and writes it as CSV under
``bench-results/``. Under wrk the same URL comes again and again, so cached parts are served from
Redis (see kitb_portal.common.fragments): the cold column is what a page costs when they are not.

    python -m kitb_portal.devstack.bench [--scales 1,100] [--duration 5] [--connections 8] [--fresh] [--sweep]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PY = sys.executable


@dataclass
class Row:
    scale: int
    page: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    queries: int | str = ""
    cold_queries: int | str = ""
    ratio: float = 0.0
    errors: int = 0
    extra: dict = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bench_env(db_name: str) -> dict:
    """Environment of a production-like process on the bench database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")
    from kitb_portal import devstack

    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        db = devstack.database_settings()
        env["DATABASE_URL"] = f"postgres://{db['USER']}@/{db_name}?host={db['HOST']}"
    else:
        env["DATABASE_URL"] = re.sub(r"/[^/?]+(\?|$)", f"/{db_name}\\1", env["DATABASE_URL"], count=1)
    env.setdefault("REDIS_URL", devstack.redis_url())
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(BASE_DIR / ".data" / "staticfiles-bench"),
        DB_CONN_MAX_AGE="600",
        CACHE_KEY_PREFIX=f"bench{db_name}",
        BENCH_VIEW="true",
        LOG_LEVEL="WARNING",
        DEMO_PASSWORD=env.get("DEMO_PASSWORD", "bench-password-not-for-production"),
    )
    return env


def _ensure_database(db_name: str, fresh: bool = False) -> None:
    from kitb_portal import devstack

    if os.environ.get("DATABASE_URL"):
        return  # a managed server: the operator creates the bench databases
    with devstack._lock("postgres"):
        server = devstack._postgres_server()
        if fresh:
            server.psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE);")
        if "(1 row)" not in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db_name}';"):
            server.psql(f"CREATE DATABASE {db_name};")


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    proc = subprocess.run([PY, "manage.py", *args], env=env, cwd=BASE_DIR, text=True, capture_output=capture, check=True)
    return proc.stdout if capture else ""


def prepare(scale: int, fresh: bool = False) -> dict:
    db_name = f"kitb_bench_{scale}"
    _ensure_database(db_name, fresh)
    env = _bench_env(db_name)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    # Demo and generated data refuse production settings: the same database, development mode.
    seed_env = dict(env, DJANGO_ENV="development", DEBUG="false")
    _manage(seed_env, "seed_demo", capture=True)
    started = time.monotonic()
    out = _manage(seed_env, "seed_bulk", "--scale", str(scale), "--if-empty", capture=True)
    print(out.strip().splitlines()[-1], f"({time.monotonic() - started:.0f} s)", flush=True)
    return env


def _wrk(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, float, float, int]:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], text=True, capture_output=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, pct("50"), pct("99"), errors


def _page_plan(env: dict) -> list[dict]:
    """Ask a Django process on the bench database for the pages, their sessions and query counts."""
    proc = subprocess.run(
        [PY, "-c", "from kitb_portal.devstack.bench_pages import main; main()"],
        env=env, cwd=BASE_DIR, text=True, capture_output=True,
    )
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
        raise SystemExit("bench: listing the pages failed (see above)")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    gunicorn = subprocess.Popen(
        [PY, "-m", "gunicorn", "kitb_portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=BASE_DIR,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/bench/ok/", timeout=2)
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    return gunicorn, base


def run_scales(scales: list[int], duration: int, connections: int, fresh: bool = False) -> list[Row]:
    """Every page at every scale, interleaved: page A at scale 1, then at scale 100, then page B ...

    One server per scale (both up for the whole run, only one under load at a time), so whatever
    else the machine does at a given moment weighs on both scales of a page alike.
    """
    envs = {scale: prepare(scale, fresh) for scale in scales}
    servers = {}
    try:
        for scale in scales:
            servers[scale] = _start_server(envs[scale])
        plans = {scale: {page["name"]: page for page in _page_plan(envs[scale])} for scale in scales}
        names = [name for name in plans[scales[0]] if all(name in plans[s] for s in scales)]
        rows: list[Row] = []
        bare: dict[int, float] = {}
        for name in names:
            for scale in scales:
                page, base = plans[scale][name], servers[scale][1]
                # warm up (templates, connections), then measure
                _wrk(base + page["path"], page.get("cookie"), 1, connections)
                rps, p50, p99, errors = _wrk(base + page["path"], page.get("cookie"), duration, connections)
                row = Row(scale, page["name"], page["path"], rps, p50, p99, page.get("queries", ""),
                          page.get("cold_queries", ""), errors=errors)
                bare.setdefault(scale, rps)  # the first page is the bare view
                row.ratio = rps / bare[scale] if bare[scale] else 0.0
                rows.append(row)
                print(f"  scale {scale:>3}  {row.page:<40} {rps:8.1f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
                      f"{row.queries!s:>3}/{row.cold_queries!s:<3} q  {row.ratio:5.1%}{'  ERRORS ' + str(errors) if errors else ''}", flush=True)
        return sorted(rows, key=lambda r: scales.index(r.scale))  # the table: one scale after the other
    finally:
        for gunicorn, _base in servers.values():
            gunicorn.terminate()
            gunicorn.wait(timeout=30)


def digest_benchmark(env: dict) -> Row | None:
    try:
        out = subprocess.run(
            [PY, "manage.py", "bench_digests", "--recipients", "5000"], env=env, cwd=BASE_DIR, text=True,
            capture_output=True, check=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        print("digest benchmark failed:", exc.stderr[-2000:], flush=True)
        return None
    data = json.loads(out.strip().splitlines()[-1])
    return Row(0, f"digest build ({data['recipients']} recipients)", "-", queries=data["queries"],
               extra={"seconds": data["seconds"]}, p50_ms=data["seconds"] * 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "5")))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--fresh", action="store_true", help="drop the bench databases first (data generated again)")
    parser.add_argument("--sweep", action="store_true", help="then the cold sweep (manage.py cold_sweep) at the largest scale")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("make bench needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    started = time.monotonic()
    rows: list[Row] = []
    scales = [int(s) for s in args.scales.split(",")]
    rows += run_scales(scales, args.duration, args.connections, args.fresh)
    digest = digest_benchmark(_bench_env(f"kitb_bench_{max(scales)}"))
    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, text=True, capture_output=True).stdout.strip()
    path = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}-{commit or 'nogit'}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scale", "page", "path", "requests_per_s", "p50_ms", "p99_ms", "queries", "cold_queries",
                         "ratio_to_bare", "errors"])
        for r in rows:
            writer.writerow([r.scale, r.page, r.path, f"{r.rps:.1f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", r.queries,
                             r.cold_queries, f"{r.ratio:.3f}", r.errors])
        if digest:
            writer.writerow(["-", digest.page, "-", "", "", "", digest.queries, "", "", ""])
            writer.writerow(["-", "digest build seconds", "-", "", f"{digest.extra['seconds']:.2f}", "", "", "", "", ""])
    print()
    print(f"{'scale':>5} | {'page':<42} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'SQL':>4} | {'cold':>4} | {'vs bare':>7}")
    print("-" * 107)
    for r in rows:
        print(f"{r.scale:>5} | {r.page:<42} | {r.rps:8.1f} | {r.p50_ms:7.2f} | {r.p99_ms:7.2f} | {r.queries!s:>4} | "
              f"{r.cold_queries!s:>4} | {r.ratio:7.1%}")
    if digest:
        print(f"digest build: {digest.page}: {digest.queries} SQL queries, {digest.extra['seconds']:.1f} s")
    print(f"\nCSV: {path}  (commit {commit}, {time.monotonic() - started:.0f} s in all)")
    if args.sweep:
        subprocess.run([PY, "manage.py", "cold_sweep", "--scale", str(max(scales))], cwd=BASE_DIR, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
