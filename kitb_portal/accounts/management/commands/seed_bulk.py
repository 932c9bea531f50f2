"""`manage.py seed_bulk --scale N`: realistic generated data at N times the demo size, for benchmarks.

Scale 1 is about 100 MoUs, 500 events, 5,000 registrations, 200 applications with their reviews and
50 users across 2 organisations; scale 100 is a hundred times that. The steps come from
``settings.SEED_BULK_STEPS`` (one generator per app, so this core command imports no app); they
write through COPY inside one transaction, bypassing the services (see kitb_portal/accounts/bench_data.py).

Refuses to run when generated data exist, unless ``--add`` (another batch, continuing the numbering)
or ``--if-empty`` (then it does nothing and exits 0). Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.module_loading import import_string

from kitb_portal.accounts.bench_data import BulkContext, generated_batches
from kitb_portal.dashboard.cached import changed_all


class Command(BaseCommand):
    help = "Generate realistic data at N times the demo size (for benchmarks); never for production."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="1 = about the demo size ×1 (100 MoUs, 500 events, ...).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--if-empty", action="store_true", help="Do nothing (exit 0) when generated data exist.")
        group.add_argument("--add", action="store_true", help="Add another batch when generated data exist.")

    def handle(self, *args, scale: int, seed: int, if_empty: bool, add: bool, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("seed_bulk writes generated data; it does not run on a production site.")
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        existing = generated_batches()
        if existing and if_empty:
            self.stdout.write(f"seed_bulk: generated data present ({existing} batch(es)); nothing done.")
            return
        if existing and not add:
            raise CommandError(
                f"The database already holds generated data ({existing} batch(es)). "
                "Use --add to add another batch, or --if-empty to skip."
            )
        ctx = BulkContext(scale=scale, seed=seed, batch=existing + 1, stdout=self.stdout)
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One long transaction of COPYs: allow it the memory and skip the per-commit flush wait.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for path in settings.SEED_BULK_STEPS:
                step_started = time.monotonic()
                import_string(path)(ctx)
                self.stdout.write(f"  {path}: {time.monotonic() - step_started:.1f} s")
        step_started = time.monotonic()
        with connection.cursor() as cursor:
            # Fresh statistics (and visibility map) for the planner, as autovacuum would give them later;
            # inside an outer transaction (tests) VACUUM cannot run, ANALYZE can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        self.stdout.write(f"  vacuum and analyze: {time.monotonic() - step_started:.1f} s")
        changed_all()  # bulk_create sends no post_save: the staff dashboard draws its sections afresh
        summary = ", ".join(f"{n:,} {what}" for what, n in ctx.counts.items())
        self.stdout.write(
            f"seed_bulk: batch {ctx.batch} at scale {scale} (seed {seed}): {summary} "
            f"in {time.monotonic() - started:.0f} s."
        )
