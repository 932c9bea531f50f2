"""Fixtures of the outbox tests: the live SMTP server and Celery worker, and quick outbox tunables."""
import pytest

from tests.live import celery_worker, celery_worker_env, smtp_server  # noqa: F401 - fixtures

TEMPLATE = "notifications/email/test_message"


@pytest.fixture
def fast_retries(settings):
    """No waiting between tries, so that eager retries (which cannot wait) find the row due."""
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_RETRY_CAP_SECONDS = 0
    settings.OUTBOX_MAX_ATTEMPTS = 5
    return settings
