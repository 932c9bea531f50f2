"""``make bench BENCH_ARGS=--per-page``: each page alone, one URL asked again and again by one user.

The mode the mixed load replaced as the default: it shows what one page costs with everything warm,
which the mixed load cannot. The page list (:mod:`.bench_pages`) comes from a Django process on
the bench database; both scales' servers stay up for the whole run and every page is measured at
scale 1 and then at scale 100, so whatever else the machine does at a moment weighs on both alike.
The first page is the bare view (no session, template or SQL): each row's ratio is to it.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from dataclasses import dataclass

from .bench_common import BASE_DIR, PY, RESULTS_DIR, commit, parse_wrk, prepare, run_wrk, start_server


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


def _wrk(url: str, cookie: str | None, duration: int, connections: int) -> tuple[float, float, float, int]:
    args = ["-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "10s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    rps, p50, p99, errors, _requests = parse_wrk(run_wrk([*args, url])[0])
    return rps, p50, p99, errors


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


def run_scales(scales: list[int], duration: int, connections: int, fresh: bool = False) -> list[Row]:
    """Every page at every scale, interleaved: page A at scale 1, then at scale 100, then page B ..."""
    envs = {scale: prepare(scale, fresh) for scale in scales}
    servers = {}
    try:
        for scale in scales:
            servers[scale] = start_server(envs[scale])
        plans = {scale: {page["name"]: page for page in _page_plan(envs[scale])} for scale in scales}
        names = [name for name in plans[scales[0]] if all(name in plans[s] for s in scales)]
        rows: list[Row] = []
        bare: dict[int, float] = {}
        for name in names:
            for scale in scales:
                page, base = plans[scale][name], servers[scale][1]
                _wrk(base + page["path"], page.get("cookie"), 1, connections)  # warm up: templates, connections
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


def per_page_main(scales: list[int], duration: int, connections: int, fresh: bool) -> int:
    started = time.monotonic()
    rows = run_scales(scales, duration, connections, fresh)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}-{commit()}.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scale", "page", "path", "requests_per_s", "p50_ms", "p99_ms", "queries", "ratio_to_bare", "errors"])
        for r in rows:
            writer.writerow([r.scale, r.page, r.path, f"{r.rps:.1f}", f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", r.queries,
                             f"{r.ratio:.3f}", r.errors])
    print()
    print(f"{'scale':>5} | {'page':<42} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'SQL':>4} | {'vs bare':>7}")
    print("-" * 100)
    for r in rows:
        print(f"{r.scale:>5} | {r.page:<42} | {r.rps:8.1f} | {r.p50_ms:7.2f} | {r.p99_ms:7.2f} | {r.queries!s:>4} | "
              f"{r.ratio:7.1%}")
    print(f"\nCSV: {path}  ({time.monotonic() - started:.0f} s in all)")
    return 0
