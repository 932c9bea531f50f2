"""``make bench``: the site under a mixed load of many users, at scale 1 and scale 100, in one run.

For each scale it prepares a database of its own on the same PostgreSQL server (``kitb_bench_<N>``:
migrated, demo data, ``seed_bulk --scale N`` unless already there) and writes the request list of a
working day (:mod:`kitb_portal.devstack.bench_mix`: at least 150 partner sessions over many
organisations, staff of every role, the public; each with its own session made in the database).
Then, for each cache mode (``cache``: as configured; ``dummy``: Django's DummyCache in the served
process, ``BENCH_DUMMY_CACHE``), it starts gunicorn (2 workers, DEBUG off) on it, checks a sample
of the URLs answer, measures the bare view (no session, template or SQL), and runs wrk (one
thread, 8 connections) with ``bench_mix.lua``, which picks every request at random by weight, while
a writer process writes through the services at a steady rate. The modes of a scale run back to
back, so both see the same machine.

It prints one table (scale, caches, requests/s, p50, p99, errors = non-2xx/3xx and socket errors,
the bare view's requests/s and the ratio to it, the CPU time per request of the gunicorn workers and
of the bench database's PostgreSQL backends, writes per second, wrk's CPU) and writes it as CSV under
``bench-results/``. On a machine shared with other work the CPU per request is the steadier figure:
requests/s and latencies follow whatever else runs.

    python -m kitb_portal.devstack.bench [--scales 1,100] [--modes cache,dummy] [--duration 20]
                                         [--repeat 1] [--write-rate 1.5] [--fresh]
    python -m kitb_portal.devstack.bench --per-page [--duration 5]   # each page alone, one URL at a time
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
        CELERY_QUEUE=f"bench-{db_name}",  # the writes' e-mail tasks wait in a queue of their own
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
        except Exception:  # not up yet
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
                row = Row(scale, page["name"], page["path"], rps, p50, p99, page.get("queries", ""), errors=errors)
                bare.setdefault(scale, rps)  # the first page is the bare view
                row.ratio = rps / bare[scale] if bare[scale] else 0.0
                rows.append(row)
                print(f"  scale {scale:>3}  {row.page:<40} {rps:8.1f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
                      f"{row.queries!s:>3} q  {row.ratio:5.1%}{'  ERRORS ' + str(errors) if errors else ''}", flush=True)
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


def per_page_main(scales: list[int], duration: int, connections: int, fresh: bool) -> int:
    started = time.monotonic()
    rows: list[Row] = []
    rows += run_scales(scales, duration, connections, fresh)
    digest = digest_benchmark(_bench_env(f"kitb_bench_{max(scales)}"))
    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, text=True, capture_output=True).stdout.strip()
    path = out_dir / f"bench-{time.strftime('%Y%m%d-%H%M%S')}-{commit or 'nogit'}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scale", "page", "path", "requests_per_s", "p50_ms", "p99_ms", "queries", "ratio_to_bare", "errors"])
        for r in rows:
            writer.writerow([r.scale, r.page, r.path, f"{r.rps:.1f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", r.queries,
                             f"{r.ratio:.3f}", r.errors])
        if digest:
            writer.writerow(["-", digest.page, "-", "", "", "", digest.queries, "", ""])
            writer.writerow(["-", "digest build seconds", "-", "", f"{digest.extra['seconds']:.2f}", "", "", "", ""])
    print()
    print(f"{'scale':>5} | {'page':<42} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'SQL':>4} | {'vs bare':>7}")
    print("-" * 100)
    for r in rows:
        print(f"{r.scale:>5} | {r.page:<42} | {r.rps:8.1f} | {r.p50_ms:7.2f} | {r.p99_ms:7.2f} | {r.queries!s:>4} | "
              f"{r.ratio:7.1%}")
    if digest:
        print(f"digest build: {digest.page}: {digest.queries} SQL queries, {digest.extra['seconds']:.1f} s")
    print(f"\nCSV: {path}  (commit {commit}, {time.monotonic() - started:.0f} s in all)")
    return 0


@dataclass
class MixRow:
    scale: int
    mode: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0
    bare_rps: float = 0.0
    writes_per_s: float = 0.0
    write_failures: int = 0
    wrk_cpu: float = 0.0
    smoke_failures: int = 0
    app_cpu_ms: float = 0.0  # gunicorn workers' CPU per request served
    db_cpu_ms: float = 0.0  # the bench database's PostgreSQL backends' CPU per request (the writer's too)

    @property
    def ratio(self) -> float:
        return self.rps / self.bare_rps if self.bare_rps else 0.0


MIX_SCRIPT = Path(__file__).with_name("bench_mix.lua")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds so far, command line) of every process (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, cmdline)
    return found


def _server_cpu(gunicorn_pid: int, db_name: str) -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds so far of the gunicorn workers and of the PostgreSQL backends on ``db_name``."""
    procs = _processes()
    app = {pid: cpu for pid, (ppid, cpu, _c) in procs.items() if ppid == gunicorn_pid}
    postmaster = None
    if not os.environ.get("DATABASE_URL"):
        from kitb_portal import devstack

        try:  # the embedded server's backends only (other servers on the machine may hold a bench database too)
            postmaster = int((devstack.PG_DIR / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    db = {pid: cpu for pid, (ppid, cpu, cmd) in procs.items()
          if cmd.startswith("postgres: ") and f" {db_name} " in cmd and postmaster in (None, ppid)}
    return app, db


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _run_wrk(args: list[str]) -> tuple[str, float]:
    """Run wrk; return its output and its CPU use (share of one core over its run)."""
    started = time.monotonic()
    proc = subprocess.Popen(["wrk", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.monotonic() - started
    # communicate() has reaped it; its CPU is in the children's usage (read just around it)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err[-2000:]}")
    return out, wall


def _parse_wrk(out: str) -> tuple[float, float, float, int, int]:
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
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, pct("50"), pct("99"), errors, requests


def _wrk_timed(args: list[str]) -> tuple[tuple[float, float, float, int, int], float]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, wall = _run_wrk(args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return _parse_wrk(out), cpu / wall if wall else 0.0


def _mix_plan(env: dict, path: Path) -> dict:
    proc = subprocess.run([PY, "-m", "kitb_portal.devstack.bench_mix", "plan", str(path)], env=env, cwd=BASE_DIR,
                          text=True, capture_output=True)
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
        raise SystemExit("bench: writing the request list failed (see above)")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _smoke(base: str, plan_path: Path, n: int = 120) -> int:
    """Ask a random sample of the list once (and the first URL of every kind); print and count failures."""
    import random
    import urllib.error

    lines = [line.rstrip("\n").split("\t") for line in plan_path.open()]
    rng = random.Random(7)
    first_of_kind = {}
    for line in lines:
        first_of_kind.setdefault(line[1], line)
    sample = list(first_of_kind.values()) + rng.sample(lines, min(n, len(lines)))
    failures = 0

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for _weight, kind, cookie, path in sample:
        request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
        try:
            status = opener.open(request, timeout=30).status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status >= 400:
            failures += 1
            if failures <= 10:
                print(f"    smoke: {kind}: {path} -> {status}", flush=True)
    return failures


def run_mixed(scales: list[int], modes: list[str], duration: int, connections: int, repeat: int,
              write_rate: float, fresh: bool = False, reuse_plan: bool = False) -> list[MixRow]:
    out_dir = BASE_DIR / "bench-results"
    out_dir.mkdir(exist_ok=True)
    rows: list[MixRow] = []
    for scale in scales:
        plan_path = out_dir / f"mix-requests-{scale}.tsv"
        summary_path = plan_path.with_suffix(".json")
        reuse = reuse_plan and plan_path.exists() and summary_path.exists()
        # with the request list reused, the database is too (migrated and seeded by the run that wrote it)
        env = _bench_env(f"kitb_bench_{scale}") if reuse else prepare(scale, fresh)
        if reuse:
            summary = json.loads(summary_path.read_text())  # the same users, sessions and URLs as last time
        else:
            summary = _mix_plan(env, plan_path)
            summary_path.write_text(json.dumps(summary))
        print(f"scale {scale}: {summary['partner_sessions']} partner sessions ({summary['partner_users']} users, "
              f"{summary['organisations']} organisations), staff {summary['staff']}, {summary['urls']} URLs", flush=True)
        for _rep in range(repeat):
            for mode in modes:
                mode_env = dict(env, BENCH_DUMMY_CACHE="true" if mode == "dummy" else "false")
                gunicorn, base = _start_server(mode_env)
                try:
                    row = MixRow(scale, mode)
                    row.smoke_failures = _smoke(base, plan_path)
                    common = ["-t", "1", "-c", str(connections), "--latency", "--timeout", "10s"]
                    _wrk_timed([*common, "-d", "3s", "-s", str(MIX_SCRIPT), base, "--", str(plan_path), "1"])  # warm up
                    (row.bare_rps, *_rest), _cpu = _wrk_timed([*common, "-d", "5s", base + "/bench/ok/"])
                    writer = subprocess.Popen(
                        [PY, "-m", "kitb_portal.devstack.bench_mix", "writer", str(duration), str(write_rate)],
                        env=mode_env, cwd=BASE_DIR, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    )
                    time.sleep(1.5)  # the writer's Django set up, so its writes span the load
                    app_before, db_before = _server_cpu(gunicorn.pid, f"kitb_bench_{scale}")
                    (row.rps, row.p50_ms, row.p99_ms, row.errors, row.requests), row.wrk_cpu = _wrk_timed(
                        [*common, "-d", f"{duration}s", "-s", str(MIX_SCRIPT), base, "--", str(plan_path), "2"])
                    app_after, db_after = _server_cpu(gunicorn.pid, f"kitb_bench_{scale}")
                    if row.requests:
                        row.app_cpu_ms = _cpu_delta(app_before, app_after) / row.requests * 1000
                        row.db_cpu_ms = _cpu_delta(db_before, db_after) / row.requests * 1000
                    w_out, w_err = writer.communicate(timeout=duration + 60)
                    try:
                        written = json.loads(w_out.strip().splitlines()[-1])
                        row.writes_per_s, row.write_failures = written["per_second"], written["failed"]
                        if written["errors"]:
                            print(f"    writer errors: {written['errors']}", flush=True)
                    except (IndexError, ValueError):
                        print("    writer failed:", w_err[-2000:], flush=True)
                finally:
                    gunicorn.terminate()
                    gunicorn.wait(timeout=30)
                rows.append(row)
                print(f"  scale {scale:>3}  caches {mode:<5} {row.rps:7.1f} req/s  p50 {row.p50_ms:7.1f} ms  "
                      f"p99 {row.p99_ms:7.1f} ms  errors {row.errors}  bare {row.bare_rps:7.0f} req/s  "
                      f"{row.ratio:6.2%}  CPU/request app {row.app_cpu_ms:.1f} ms db {row.db_cpu_ms:.1f} ms  "
                      f"writes {row.writes_per_s}/s  wrk CPU {row.wrk_cpu:.0%}", flush=True)
    return rows


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, text=True,
                          capture_output=True).stdout.strip() or "nogit"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--per-page", action="store_true", help="the old mode: each page alone, one URL again and again")
    parser.add_argument("--modes", default="cache,dummy", help="cache (as configured), dummy (Django's DummyCache)")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "0")) or None,
                        help="seconds of load per run (mixed: 20; per page: 5)")
    parser.add_argument("--repeat", type=int, default=1, help="run each (scale, modes) group this many times")
    parser.add_argument("--write-rate", type=float, default=1.5, help="writes per second beside the mixed load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--reuse-plan", action="store_true", help="reuse the databases as they are and the request lists (and sessions) of the last run")
    parser.add_argument("--fresh", action="store_true", help="drop the bench databases first (data generated again)")
    parser.add_argument("--sweep", action="store_true", help="then the cold sweep (manage.py cold_sweep) at the largest scale")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("make bench needs wrk (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    scales = [int(s) for s in args.scales.split(",")]
    status = _main(args, parser, scales)
    if args.sweep:
        status = status or subprocess.run([PY, "manage.py", "cold_sweep", "--scale", str(max(scales))], cwd=BASE_DIR, check=False).returncode
    return status


def _main(args, parser, scales: list[int]) -> int:
    if args.per_page:
        return per_page_main(scales, args.duration or 5, args.connections, args.fresh)
    started = time.monotonic()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(modes) - {"cache", "dummy"}:
        parser.error("--modes takes cache and/or dummy")
    rows = run_mixed(scales, modes, args.duration or 20, args.connections, args.repeat, args.write_rate, args.fresh,
                     args.reuse_plan and not args.fresh)
    out_dir = BASE_DIR / "bench-results"
    commit = _commit()
    path = out_dir / f"mix-{time.strftime('%Y%m%d-%H%M%S')}-{commit}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scale", "caches", "requests_per_s", "p50_ms", "p99_ms", "errors", "requests", "bare_requests_per_s",
                         "ratio_to_bare", "app_cpu_ms_per_request", "db_cpu_ms_per_request", "writes_per_s", "write_failures",
                         "wrk_cpu", "smoke_failures"])
        for r in rows:
            writer.writerow([r.scale, r.mode, f"{r.rps:.1f}", f"{r.p50_ms:.1f}", f"{r.p99_ms:.1f}", r.errors, r.requests,
                             f"{r.bare_rps:.0f}", f"{r.ratio:.4f}", f"{r.app_cpu_ms:.2f}", f"{r.db_cpu_ms:.2f}", r.writes_per_s,
                             r.write_failures, f"{r.wrk_cpu:.2f}", r.smoke_failures])
    print()
    print(f"{'scale':>5} | {'caches':<6} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | "
          f"{'bare req/s':>10} | {'vs bare':>7} | {'app CPU/req':>11} | {'DB CPU/req':>10} | {'writes/s':>8} | {'wrk CPU':>7}")
    print("-" * 128)
    for r in rows:
        print(f"{r.scale:>5} | {r.mode:<6} | {r.rps:7.1f} | {r.p50_ms:7.1f} | {r.p99_ms:7.1f} | {r.errors:>6} | "
              f"{r.bare_rps:10.0f} | {r.ratio:7.2%} | {r.app_cpu_ms:8.1f} ms | {r.db_cpu_ms:7.1f} ms | {r.writes_per_s:8} | "
              f"{r.wrk_cpu:7.0%}")
    print(f"\nCSV: {path}  (commit {commit}, {time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
