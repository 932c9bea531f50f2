"""``manage.py cold_sweep``: every page the KITB administrator and a partner can reach, each requested
once with the caches emptied (see kitb_portal/devstack/sweep.py), at a benchmark scale.

By default it prepares the bench database of ``--scale`` (``kitb_bench_<scale>``, as ``make bench``
does: migrated, demo data, ``seed_bulk --scale N`` unless already there) and runs itself again on it
with production settings (DEBUG off, cached templates). ``--here`` sweeps the database the current
settings point at instead (``DATABASE_URL``), which must hold the demo users.

Prints the slowest pages, then worst, p95, median and the largest SQL count, and writes every page as
CSV under ``bench-results/``. ``--sql N`` prints the SQL of the N slowest pages.
"""

from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

CHILD = "KITB_COLD_SWEEP_CHILD"


class Command(BaseCommand):
    help = "Time every admin, portal and public page once with the caches emptied (prints the slowest; CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=100, help="Bench database kitb_bench_<scale> (default 100).")
        parser.add_argument("--here", action="store_true", help="Sweep the current settings' database instead.")
        parser.add_argument("--top", type=int, default=25, help="How many of the slowest pages to print (default 25).")
        parser.add_argument("--sql", type=int, default=0, help="Print the SQL of the N slowest pages.")
        parser.add_argument("--max-crawl", type=int, default=150, help="Most portal/public pages crawled (default 150).")
        parser.add_argument("--only", default="", help="Only pages whose path or label contains this text.")
        parser.add_argument("--statement-timeout", type=int, default=20, help="Seconds a query may take (then the page is a 500).")
        parser.add_argument("--no-warm", action="store_true", help="Do not request each page once before timing it.")

    def handle(self, *args, scale, here, top, sql, max_crawl, only, no_warm, statement_timeout, **options):
        if not here and not os.environ.get(CHILD):
            argv = ["--top", str(top), "--sql", str(sql), "--max-crawl", str(max_crawl), "--only", only,
                    "--statement-timeout", str(statement_timeout)]
            return self._run_on_bench_database(scale, argv + (["--no-warm"] if no_warm else []))
        _statement_timeout(statement_timeout)
        self._sweep(top=top, sql=sql, max_crawl=max_crawl, only=only, warm=not no_warm)

    def _run_on_bench_database(self, scale: int, argv: list[str]) -> None:
        from kitb_portal.devstack import bench_common

        env = dict(bench_common.prepare(scale), **{CHILD: "1"})
        self.stdout.flush()
        proc = subprocess.run([sys.executable, "manage.py", "cold_sweep", *argv], env=env, cwd=bench_common.BASE_DIR)
        if proc.returncode:
            raise CommandError(f"the sweep on kitb_bench_{scale} failed (exit {proc.returncode})")

    def _sweep(self, *, top, sql, max_crawl, only, warm) -> None:
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from kitb_portal.devstack import sweep

        try:
            admin, partner = sweep.admin_user(), sweep.partner_user()
        except Exception as exc:
            raise CommandError(f"the demo users are missing on {connection.settings_dict['NAME']}: {exc}") from exc
        clients = {"admin": Client(raise_request_exception=False), "partner": Client(raise_request_exception=False)}
        for role, user in (("admin", admin), ("partner", partner)):
            sweep.log_in(clients[role], user)
        started = time.monotonic()
        pages = sweep.enumerate_pages(clients["admin"], admin, clients["partner"], max_crawl=max_crawl)
        if only:
            pages = [p for p in pages if only in p.path or only in p.label]
        self.stdout.write(f"cold sweep of {connection.settings_dict['NAME']}: {len(pages)} pages "
                          f"(listed in {time.monotonic() - started:.0f} s)")
        started = time.monotonic()

        def progress(n, result):
            if (n + 1) % 50 == 0:
                self.stdout.write(f"  {n + 1}/{len(pages)} ({time.monotonic() - started:.0f} s)")

        logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a 500 is reported in the table
        results = sweep.sweep(pages, clients, warm=warm, keep_sql=bool(sql), progress=progress)
        elapsed = time.monotonic() - started
        results.sort(key=lambda r: r.ms, reverse=True)
        times = [r.ms for r in results]
        self.stdout.write(f"\n{top} slowest (of {len(results)}):")
        self.stdout.write(f"{'ms':>8} {'SQL':>4} {'st':>3}  {'role':<7} page")
        for r in results[:top]:
            self.stdout.write(f"{r.ms:8.1f} {r.queries:4d} {r.status:3d}  {r.page.role:<7} {r.page.path}")
        most = max(results, key=lambda r: r.queries)
        errors = [r for r in results if r.status >= 500]
        self.stdout.write(
            f"\nworst {times[0]:.1f} ms, p95 {sweep.percentile(times, 0.95):.1f} ms, median {sweep.percentile(times, 0.5):.1f} ms; "
            f"max SQL {most.queries} ({most.page.path}); {len([r for r in results if r.queries > 20])} pages over 20 queries; "
            f"{len(errors)} server errors; {elapsed:.0f} s"
        )
        for r in errors:
            self.stdout.write(f"  5xx: {r.status} {r.page.path}")
        over = sorted((r for r in results if r.queries > 20), key=lambda r: -r.queries)
        for r in over:
            self.stdout.write(f"  {r.queries} queries: {r.page.path}")
        for r in results[:sql]:
            self.stdout.write(f"\n-- {r.page.path} ({r.ms:.1f} ms, {r.queries} queries)")
            for q in r.sql or []:
                self.stdout.write("   " + q[:400])
        out_dir = Path(settings.BASE_DIR) / "bench-results"
        out_dir.mkdir(exist_ok=True)
        from kitb_portal.devstack.bench_common import commit

        path = out_dir / f"cold-sweep-{time.strftime('%Y%m%d-%H%M%S')}-{commit()}.csv"
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["role", "kind", "label", "path", "status", "ms", "queries"])
            for r in results:
                writer.writerow([r.page.role, r.page.kind, r.page.label, r.page.path, r.status, f"{r.ms:.1f}", r.queries])
        self.stdout.write(f"CSV: {path}")


def _statement_timeout(seconds: int) -> None:
    """A runaway query fails the page (a 500 in the table) instead of stalling the sweep."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def apply(connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [f"{seconds}s"])

    connection_created.connect(apply, weak=False)
    if connection.connection is not None:
        apply(connection)
