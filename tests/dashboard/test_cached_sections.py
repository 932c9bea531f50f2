"""The staff dashboard's sections kept in the cache (kitb_portal.dashboard.cached): drawn once for
everyone holding the same permissions in the same language, drawn again after any write of a model
they read (saves, deletes, the services' bulk writes), never shown to a reader with other permissions,
and never kept for partners."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation

from events.models import Registration, RegistrationStatus
from events.services import registration_expire_lapsed
from kitb_portal.accounts import roles
from kitb_portal.dashboard import cached, compose
from partnerships.models import MoU, MoUNote
from tests.events.factories import EventFactory
from tests.factories import UserFactory
from tests.partnerships.factories import CommitmentFactory, mou_with_parties
from tests.utils import count_queries

from .conftest import cast, figure, panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return cast()


def _staff(kitb, role: str, email: str):
    user = UserFactory(staff=True, organization=kitb, email=email)
    user.groups.add(Group.objects.get(name=role))
    return user


def _fresh(user):
    """The user as a new request loads it (no permissions read yet)."""
    return type(user).objects.get(pk=user.pk)


def test_a_second_dashboard_reads_no_section_from_the_database(people):
    mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/1", status=MoU.Status.NEGOTIATION)
    admin = people["kitb_admin"]
    first, _sql, drawn = count_queries(compose, _fresh(admin))
    again, sql, kept = count_queries(compose, _fresh(admin))
    assert first > 5
    assert again == 1, sql  # the reader's permissions only: every section comes from the cache
    assert [s.key for s in kept] == [s.key for s in drawn] == ["partnerships", "events", "tenants"]
    assert figure(panel(kept, "partnerships", "mous"), "In negotiation").value == "1"


def test_a_save_or_delete_of_a_model_a_section_reads_draws_that_section_again(people):
    admin = people["kitb_admin"]
    mou = mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/2", status=MoU.Status.NEGOTIATION)
    compose(_fresh(admin))
    mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/3", status=MoU.Status.NEGOTIATION)
    assert figure(panel(compose(_fresh(admin)), "partnerships", "mous"), "In negotiation").value == "2"
    mou.delete()
    assert figure(panel(compose(_fresh(admin)), "partnerships", "mous"), "In negotiation").value == "1"

    today = timezone.localdate()
    live = mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/4", status=MoU.Status.ACTIVE,
                            signed_date=today - dt.timedelta(days=30), effective_date=today - dt.timedelta(days=30),
                            expiry_date=today + dt.timedelta(days=700))
    overdue = CommitmentFactory(mou=live, responsible_organization=people["technopark"],
                                due_date=timezone.localdate() - dt.timedelta(days=3))
    commitments = panel(compose(_fresh(admin)), "partnerships", "commitments")
    assert figure(commitments, "Overdue").value == "1"
    overdue.due_date = timezone.localdate() + dt.timedelta(days=10)  # the partner agreed a new date
    overdue.save()
    assert figure(panel(compose(_fresh(admin)), "partnerships", "commitments"), "Overdue").value == "0"


def test_a_write_elsewhere_leaves_the_kept_sections_alone(people):
    admin = people["kitb_admin"]
    mou = mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/5")
    compose(_fresh(admin))
    MoUNote.objects.create(mou=mou, author=admin, text="A note the dashboard does not count.")
    again, sql, _sections = count_queries(compose, _fresh(admin))
    assert again == 1, sql


def test_the_services_bulk_writes_move_the_version_on(people):
    event = EventFactory(status="published", start=timezone.now() + dt.timedelta(days=20))
    Registration.objects.create(
        event=event, user=people["partner_a"], name="Lapsed", email="lapsed@example.com",
        status=RegistrationStatus.PENDING, expires_at=timezone.now() - dt.timedelta(hours=1),
    )
    before = cached.versions(["events.Registration"])
    assert registration_expire_lapsed() == 1  # bulk_update_with_history: no post_save
    assert cached.versions(["events.Registration"]) != before


def test_readers_with_other_permissions_or_language_get_their_own_sections(people):
    admin = people["kitb_admin"]
    officer = _staff(people["kitb"], roles.EVENTS_OFFICER, "events-officer@kitb.example")
    reviewer = _staff(people["kitb"], roles.SCREENING_COMMITTEE, "reviewer@kitb.example")
    assert [s.key for s in compose(_fresh(admin))] == ["partnerships", "events", "tenants"]
    assert "tenants" not in [s.key for s in compose(_fresh(officer))]
    assert [s.key for s in compose(_fresh(reviewer))] == ["tenants"]
    assert [s.key for s in compose(_fresh(reviewer))] == ["tenants"]  # its "nothing here" kept too
    with translation.override("ko"):
        korean = compose(_fresh(admin))
    assert korean[0].title != compose(_fresh(admin))[0].title


def test_partners_sections_are_drawn_every_time(people):
    partner = people["partner_a"]
    mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/6")
    compose(_fresh(partner))
    again, _sql, _sections = count_queries(compose, _fresh(partner))
    assert again > 3


def test_every_watched_model_is_a_model(settings):
    watched = cached.watched_models()
    assert {label for label in watched.values()} >= {"partnerships.MoU", "events.Registration", "tenants.Plot"}
    assert all(model._meta.label == label for model, label in watched.items())
