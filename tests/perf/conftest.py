"""Fixtures of the performance tests: the demo's organisations and partner, made with factories."""
from pathlib import Path

import pytest

from kitb_portal.accounts import demo
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Mark ``bulk_data`` the tests here that generate benchmark data (all of test_seed_bulk.py, and
    every test that calls a ``seed_bulk`` helper or ``call_command("seed_bulk", ...)``): the slow ones,
    which `make test-fast` leaves out."""
    for item in items:
        if item.path.parent != Path(__file__).parent:
            continue
        function = getattr(item, "function", None)
        code = getattr(function, "__code__", None)
        if item.path.name == "test_seed_bulk.py" or (code is not None and ("seed_bulk" in code.co_names or "seed_bulk" in code.co_consts)):
            item.add_marker(pytest.mark.bulk_data)


@pytest.fixture
def demo_partner(db, kitb, technopark, province):
    """The demo partner of Chungbuk Technopark (seed_bulk gives them records in their scope)."""
    email, full_name, _org, _group, language = demo.DEMO_USERS["partner-technopark"]
    return UserFactory(email=email, full_name=full_name, organization=technopark, preferred_language=language)
