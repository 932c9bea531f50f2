"""``manage.py bench_digests --recipients 5000``: time the digest build for N recipients.

Builds the digests of the first N active users (by id) as if they were all due now, in one
transaction that is rolled back at the end, so nothing is sent and nothing stays. Where the
database has fewer than N active users, the missing ones are made up inside that transaction
(partner users of the existing organisations and some staff, in the three languages and several
time zones). Prints progress, then as its LAST line a JSON object::

    {"recipients": 5000, "queries": 24, "seconds": 12.3}

``queries`` and ``seconds`` cover the build only (due check, sections, rendering, outbox and run
writes), not the making up of users.
"""

from __future__ import annotations

import json
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitb_portal.accounts.models import Organization
from kitb_portal.notifications import digest

ZONES = ["Asia/Jakarta", "Asia/Seoul", "Asia/Makassar", "Asia/Jayapura", "Europe/Berlin"]
LANGUAGES = ["id", "ko", "en"]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the digest build for N recipients (rolled back; prints a JSON line last)."

    def add_arguments(self, parser):
        parser.add_argument("--recipients", type=int, default=5000, help="How many recipients (default 5000).")

    def handle(self, *args, recipients: int, **options):
        if recipients < 1:
            raise CommandError("--recipients must be at least 1.")
        figures = {}
        try:
            with transaction.atomic():
                made = self._make_up_users(recipients)
                users = list(digest.recipients_queryset()[:recipients])
                self.stdout.write(f"recipients: {len(users)} ({made} made up for the run)")
                started = time.monotonic()
                with CaptureQueriesContext(connection) as ctx:
                    result = digest.digests_send_due(now=timezone.now(), users=users, force=True)
                seconds = time.monotonic() - started
                self.stdout.write(f"digests written: {result.written}, nothing new: {result.empty}")
                figures = {"recipients": len(users), "queries": len(ctx.captured_queries), "seconds": round(seconds, 2)}
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(figures))

    def _make_up_users(self, wanted: int) -> int:
        User = get_user_model()
        missing = wanted - digest.recipients_queryset().count()
        if missing <= 0:
            return 0
        orgs = list(Organization.objects.filter(is_host=False).order_by("pk")[:10])
        host = Organization.objects.filter(is_host=True).first()
        if not orgs:
            orgs = [Organization.objects.create(name="Bench partner organisation", kind="company", country="KR")]
        groups = list(Group.objects.order_by("name"))
        stamp = int(time.time())
        people = []
        for i in range(missing):
            staff = i % 10 == 0  # one in ten is KITB staff
            people.append(User(
                email=f"bench-{stamp}-{i}@bench.invalid", full_name=f"Bench Reader {i}", password="!",
                is_staff=staff, organization=host if staff else orgs[i % len(orgs)],
                preferred_language=LANGUAGES[i % 3], time_zone=ZONES[i % len(ZONES)],
            ))
        User.objects.bulk_create(people, batch_size=2000)
        if groups:
            Membership = User.groups.through
            created = User.objects.filter(email__startswith=f"bench-{stamp}-", is_staff=True).values_list("pk", flat=True)
            Membership.objects.bulk_create(
                [Membership(user_id=pk, group_id=groups[n % len(groups)].pk) for n, pk in enumerate(created)], batch_size=2000
            )
        return missing
