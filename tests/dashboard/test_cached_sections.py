"""The staff dashboard's sections kept in the cache (kitb_portal.dashboard.cached): drawn once for
everyone holding the same permissions in the same language, drawn again after any write of a model
they read (saves, deletes, the services' bulk writes), never shown to a reader with other permissions,
and never kept for partners."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
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

from .conftest import build, cast, figure, make_land, panel

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


def _every_staff_reader(kitb):
    readers = [
        _staff(kitb, role, f"{role.lower().replace(' ', '-')}@kitb.example")
        for role in (roles.KITB_ADMINISTRATOR, roles.PARTNERSHIPS_OFFICER, roles.EVENTS_OFFICER, roles.SCREENING_COMMITTEE)
    ]
    readers.append(UserFactory(staff=True, organization=kitb, email="no-role@kitb.example"))
    readers.append(UserFactory(staff=True, organization=kitb, email="super@kitb.example", is_superuser=True))
    for codename in ("view_plot", "view_mou", "view_event"):  # one permission alone, of one part each
        reader = UserFactory(staff=True, organization=kitb, email=f"{codename}@kitb.example")
        reader.user_permissions.add(Permission.objects.get(codename=codename))
        readers.append(reader)
    return readers


def test_readers_a_section_declares_alike_see_the_same_section(people):
    """A section kept once for the readers it declares alike (``staff_reader``) is, drawn for each of
    them, the same section: the declaration says all the reader changes in it."""
    from kitb_portal.dashboard import section_functions

    build(1, kitb=people["kitb"], org=people["technopark"], actor=people["kitb_admin"], land=make_land())
    readers = _every_staff_reader(people["kitb"])
    now = timezone.now()
    declared = [fn for fn in section_functions() if getattr(fn, "staff_reader", None)]
    assert {fn.__module__ for fn in declared} == {"partnerships.dashboard", "events.dashboard", "tenants.dashboard"}
    for fn in declared:
        drawn = {}
        for reader in readers:
            drawn.setdefault(fn.staff_reader(_fresh(reader)), []).append(fn(_fresh(reader), now=now))
        assert len(drawn) >= 2, fn.__module__  # some see it and some do not, or see less
        for key, sections in drawn.items():
            assert all(section == sections[0] for section in sections), (fn.__module__, key)


def test_the_administrator_and_an_officer_share_the_sections_they_both_see(people):
    officer = _staff(people["kitb"], roles.PARTNERSHIPS_OFFICER, "partnerships-officer@kitb.example")
    mou_with_parties(people["kitb"], people["technopark"], reference="KEEP/9", status=MoU.Status.NEGOTIATION)
    compose(_fresh(people["kitb_admin"]))
    _n, sql, sections = count_queries(compose, _fresh(officer))
    assert "partnerships" in [s.key for s in sections]
    assert not any("partnerships_mou" in q for q in sql)  # the administrator's entry
