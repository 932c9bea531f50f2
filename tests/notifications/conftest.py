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


@pytest.fixture(autouse=True)
def _celery_eager():
    """Run tasks in-process. (tests/conftest.py sets CELERY_TASK_ALWAYS_EAGER in the environment, but
    pytest-django has imported the settings by then, so the app is not eager without this.)
    The live worker fixture turns it off again for its tests."""
    from kitb_portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
