"""The Celery app: broker on REDIS_URL, schedules in the database (django-celery-beat)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitb_portal.settings")

app = Celery("kitb_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
