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

After the load, on the largest scale's database, it times the searches (``manage.py search_timing``:
example searches as staff and as a partner, each cold on a new connection) and the digest build for
5,000 recipients (``manage.py bench_digests``, rolled back), and prints their figures.

    python -m kitb_portal.devstack.bench [--scales 1,100] [--modes cache,dummy] [--duration 20]
                                         [--repeat 1] [--write-rate 1.5] [--fresh] [--no-extras]
    python -m kitb_portal.devstack.bench --per-page [--duration 5]   # each page alone, one URL at a time
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .bench_common import BASE_DIR, PY, RESULTS_DIR, bench_env, commit, manage_json, parse_wrk, prepare, run_wrk, start_server
from .bench_per_page import per_page_main


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


def _wrk_timed(args: list[str]) -> tuple[tuple[float, float, float, int, int], float]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out, wall = run_wrk(args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return parse_wrk(out), cpu / wall if wall else 0.0


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
    import urllib.request

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
    out_dir = RESULTS_DIR
    out_dir.mkdir(exist_ok=True)
    rows: list[MixRow] = []
    for scale in scales:
        plan_path = out_dir / f"mix-requests-{scale}.tsv"
        summary_path = plan_path.with_suffix(".json")
        reuse = reuse_plan and plan_path.exists() and summary_path.exists()
        # with the request list reused, the database is too (migrated and seeded by the run that wrote it)
        env = bench_env(f"kitb_bench_{scale}") if reuse else prepare(scale, fresh)
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
                gunicorn, base = start_server(mode_env)
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


def run_extras(env: dict) -> dict:
    """The search timing and the digest build on one bench database (their own output is shown)."""
    print("\nsearch timing (manage.py search_timing):", flush=True)
    search = manage_json(env, "search_timing", "--json")
    print("\ndigest build (manage.py bench_digests --recipients 5000):", flush=True)
    digest = manage_json(env, "bench_digests", "--recipients", "5000")
    return {"search": search, "digest": digest}


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
    parser.add_argument("--no-extras", action="store_true", help="leave out the search and digest timings after the load")
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
    extras = {} if args.no_extras else run_extras(bench_env(f"kitb_bench_{max(scales)}"))
    sha = commit()
    path = RESULTS_DIR / f"mix-{time.strftime('%Y%m%d-%H%M%S')}-{sha}.csv"
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
    if extras.get("search"):
        s = extras["search"]
        print(f"\nsearch, cold, scale {max(scales)}: {s['searches']} searches, median {s['median_ms']:.0f} ms, "
              f"slowest {s['worst_ms']:.0f} ms, {s['over']} over {s['budget_ms']:.0f} ms (SQL flat: {s['queries']} per search)")
    if extras.get("digest"):
        d = extras["digest"]
        print(f"digest build, scale {max(scales)}: {d['recipients']:,} recipients in {d['seconds']:.1f} s, {d['queries']} SQL queries")
    print(f"\nCSV: {path}  (commit {sha}, {time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
