"""`manage.py seed_demo`: the demo data, step by step (settings.SEED_DEMO_STEPS). Idempotent.

Refused in production: it creates accounts with a known (or printed) demo password.
"""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from kitb_portal.dashboard.cached import changed_all


def is_production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False) or getattr(settings, "DJANGO_ENV", "") == "production")


class Command(BaseCommand):
    help = "Load the demo organisations, users, MoUs, events and applications (safe to run twice). Never in production."

    def handle(self, *args, **options):
        if is_production():
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production: it creates demo accounts with a known password.")
        for path in settings.SEED_DEMO_STEPS:
            with transaction.atomic():
                import_string(path)(self.stdout)
        changed_all()  # some steps write in bulk (no post_save): the staff dashboard draws afresh
