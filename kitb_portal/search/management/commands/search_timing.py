"""``manage.py search_timing``: how long example searches take, cold, on the database the settings use.

Meant for the scale-100 bench database (``seed_bulk --scale 100``; point ``DATABASE_URL`` at it, see
kitb_portal/devstack/bench.py). Each search runs on a new database connection (no plan or session
state kept from the one before) for a KITB administrator and for a partner organisation
administrator, and prints the milliseconds of the whole search (every source), cold and then warm
(the same again on that connection), the part of the cold time spent waiting for PostgreSQL, and
its slowest source. One untimed search per user first warms the Python side (imports, the URL
resolver), as in a serving process after its first requests. Timings are wall clock: the load average
is printed first, since on a busy machine they grow with it. ``--budget`` (ms, default 100) marks slower searches; ``--strict`` makes them fail the command.
"""

from __future__ import annotations

import json
import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kitb_portal.search import core

WARM_UP = "forum"
FIXED_EXAMPLES = ["battery", "배터리", "세미나", "pengembangan", "investasi", "investments", "seminar innovation", "Kim"]


class Command(BaseCommand):
    help = "Print the cold time of example searches (staff and partner) on the current database."

    def add_arguments(self, parser):
        parser.add_argument("--budget", type=float, default=100.0, help="milliseconds a search may take")
        parser.add_argument("--strict", action="store_true", help="fail when a search is over the budget")
        parser.add_argument("--repeat", type=int, default=1, help="runs per search (the slowest is printed)")
        parser.add_argument("--json", action="store_true", help="end with a JSON line of the figures (for make bench)")
        parser.add_argument("extra", nargs="*", help="more texts to search for")

    def _examples(self) -> list[str]:
        from django.apps import apps

        examples = list(FIXED_EXAMPLES)
        mou = apps.get_model("partnerships", "MoU").objects.order_by("pk").values_list("reference", flat=True).last()
        if mou:
            examples += [mou, mou.rsplit("/", 1)[0]]
        application = apps.get_model("tenants", "Application").objects.order_by("pk").values_list("pk", flat=True).last()
        if application:
            examples.append(f"#{application}")
        person = get_user_model().objects.exclude(full_name="").order_by("pk").values_list("full_name", flat=True).last()
        if person:
            examples.append(person)
        return examples

    def _users(self):
        User = get_user_model()
        # a superuser, else the first staff member who may view MoUs (the KITB administrator of seed_demo)
        staff = User.objects.filter(is_active=True, is_staff=True, is_superuser=True).order_by("pk").first()
        if staff is None:
            staff = next((u for u in User.objects.filter(is_active=True, is_staff=True).order_by("pk")[:50]
                          if u.has_perm("partnerships.view_mou") and u.has_perm("events.view_registration")), None)
        partner = User.objects.filter(is_active=True, is_staff=False, is_org_admin=True).order_by("pk").first()
        users = [("staff", staff), ("partner", partner)]
        if not any(u for _label, u in users):
            raise CommandError("No active superuser or partner organisation administrator to search as (run seed_demo).")
        return [(label, u) for label, u in users if u is not None]

    sql_ms = 0.0
    queries = 0

    def _count_sql(self, execute, sql, params, many, context):
        self.queries += 1
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_ms += (time.perf_counter() - t0) * 1000

    def _timed(self, user, query) -> tuple[float, tuple[str, float], int]:
        """(ms of the whole search, (slowest source, its ms), hits) as core.run does it; ``self.sql_ms``
        gets the part spent waiting for PostgreSQL."""
        self.sql_ms, self.queries = 0.0, 0
        started = time.perf_counter()
        per_source, hits = [], 0
        with connection.execute_wrapper(self._count_sql), core.bitmap_scans_only():
            for source in core.available_sources(user):
                t0 = time.perf_counter()
                hits += len(source.search(user, query, limit=core.PER_KIND + 1))
                per_source.append((source.key, (time.perf_counter() - t0) * 1000))
        return (time.perf_counter() - started) * 1000, max(per_source, key=lambda p: p[1], default=("", 0.0)), hits

    def handle(self, *args, **options):
        budget, strict = options["budget"], options["strict"]
        examples = self._examples() + list(options["extra"])
        users = self._users()
        db = connection.settings_dict.get("NAME")
        counts = {}
        from django.apps import apps

        for label in ("partnerships.MoU", "events.Event", "events.Registration", "tenants.Application"):
            counts[label] = apps.get_model(label).objects.count()
        self.stdout.write(f"database {db}: " + ", ".join(f"{n:,} {label.split('.')[1]}" for label, n in counts.items()))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        self.stdout.write(f"load average {load:.1f} on {os.cpu_count()} cores (timings are wall clock, so they grow with it)")
        # Python warmed as a serving process is after its first requests (imports, the URL resolver that
        # the hits' links need, template and query compilation): one untimed search per user of a word
        # that is not an example. The database side stays cold: each timed search has a new connection.
        for _label, user in users:
            self._timed(user, core.parse(WARM_UP))
        self.stdout.write(f"{'as':8} {'search':30} {'cold ms':>8} {'of it SQL':>9} {'warm ms':>8} {'hits':>5}  slowest source (cold)")
        over = 0
        colds, query_counts = [], set()
        for text in examples:
            query = core.parse(text)
            for label, user in users:
                user = get_user_model().objects.get(pk=user.pk)  # nothing cached on the object either
                cold = []
                for _i in range(max(1, options["repeat"])):
                    connection.close()  # cold: a new connection, no plan or catalogue cached in the session
                    cold.append((*self._timed(user, query), self.sql_ms))
                total, slowest, hits, sql = max(cold, key=lambda r: r[0])
                colds.append(total)
                query_counts.add(self.queries)
                warm, _s, _h = self._timed(user, query)
                flag = "" if total <= budget else f"  OVER {budget:.0f} ms"
                over += bool(flag)
                self.stdout.write(
                    f"{label:8} {text[:30]:30} {total:8.1f} {sql:9.1f} {warm:8.1f} {hits:5d}  {slowest[0]} {slowest[1]:.1f} ms{flag}"
                )
        if over and strict:
            raise CommandError(f"{over} searches took longer than {budget:.0f} ms.")
        self.stdout.write(f"{over} of {len(examples) * len(users)} searches over {budget:.0f} ms.")
        if options["json"]:
            colds.sort()
            self.stdout.write(json.dumps({
                "searches": len(colds), "median_ms": round(colds[len(colds) // 2], 1), "worst_ms": round(colds[-1], 1),
                "over": over, "budget_ms": budget, "queries": "-".join(str(q) for q in sorted(query_counts)),
            }))
