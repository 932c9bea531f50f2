"""`manage.py seed_demo`: the demo data, step by step (settings.SEED_DEMO_STEPS). Idempotent."""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load the demo organisations, users, MoUs, events and applications (safe to run twice)."

    def handle(self, *args, **options):
        for path in settings.SEED_DEMO_STEPS:
            with transaction.atomic():
                import_string(path)(self.stdout)
