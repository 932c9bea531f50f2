"""Fixtures of the partnerships tests."""
import pytest

from tests.factories import UserFactory

from .factories import mou_with_parties


@pytest.fixture
def officer(db, kitb):
    """A KITB superuser acting as partnerships officer (owner of the test MoUs)."""
    return UserFactory(staff=True, is_superuser=True, organization=kitb, email="officer@kitb.example",
                       full_name="Budi Santoso", preferred_language="id")


@pytest.fixture
def mou_a(db, kitb, technopark, officer):
    """An MoU between KITB and Chungbuk Technopark (partner A's organisation)."""
    return mou_with_parties(kitb, technopark, owner=officer, reference="KITB/A/1", title_en="MoU A", title_ko="업무협약 A")


@pytest.fixture
def mou_b(db, kitb, province, officer):
    """An MoU between KITB and the province only (partner B's); partner A must never see it."""
    return mou_with_parties(kitb, province, owner=officer, reference="KITB/B/1", title_en="MoU B", title_ko="업무협약 B")
