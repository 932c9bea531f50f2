"""Delegations: registered in one go, placed as one unit, passport data seen by nobody else and
deleted after the event; bad input gets field errors and stores nothing; scoped pages."""
import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Delegation, DelegationMember, Registration
from kitb_portal.accounts.roles import PARTNERSHIPS_OFFICER
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import EventFactory, VenueFactory
from .factories import events_officer as make_events_officer

PASSPORT = "M7654321"


def member(i, **extra):
    row = {
        "full_name": f"Member {i}", "position": "Engineer", "email": f"member{i}@cbtp.example",
        "passport_name": f"MEMBER {i}", "passport_number": f"M{1000000 + i}", "nationality": "KR",
        "date_of_birth": dt.date(1980, 1, 1 + i % 27), "dietary": ["halal"] if i % 2 else [], "allergies": "",
        "accessibility": "",
    }
    row.update(extra)
    return row


@pytest.fixture
def five_places(staff_user):
    return EventFactory(published=True, capacity=5, venue=VenueFactory(name="Delegation hall"), actor=staff_user)


@pytest.fixture
def events_officer(kitb):
    return make_events_officer(kitb, email="eo@kitb.example")


@pytest.mark.django_db
def test_eight_for_five_places_are_waitlisted_as_one_unit(client, org_admin, five_places):
    client.force_login(org_admin)
    data = {"name": "CBTP", "attendance": "on_site", "members-TOTAL_FORMS": "8", "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "100"}
    for i in range(8):
        for key, value in member(i).items():
            if key == "dietary":
                if value:
                    data[f"members-{i}-dietary"] = value
            else:
                data[f"members-{i}-{key}"] = value.isoformat() if hasattr(value, "isoformat") else value
    response = client.post(reverse("events:delegation_create", args=[five_places.pk]), data, follow=True)
    assert response.status_code == 200
    assert "all 8 members are on the waitlist together" in response.content.decode()
    delegation = Delegation.objects.get()
    regs = Registration.objects.filter(delegation_member__delegation=delegation)
    assert set(regs.values_list("status", flat=True)) == {"waitlisted"}
    assert sorted(regs.values_list("waitlist_position", flat=True)) == list(range(1, 9))
    mail = OutboxMessage.objects.get(kind="event_delegation", recipient=org_admin)
    assert "Member 7: Waitlisted (#8)" in mail.body_text and PASSPORT not in mail.body_text

    # three more places promote nobody (the unit stays whole); eight promote all of it
    five_places.capacity = 7
    services.event_save(event=five_places, actor=None)
    assert not regs.filter(status="confirmed").exists()
    five_places.capacity = 13
    services.event_save(event=five_places, actor=None)
    assert regs.filter(status="confirmed").count() == 8


@pytest.mark.django_db
def test_split_only_when_allowed_and_confirmed_when_it_fits(org_admin, five_places):
    split = services.delegation_register(actor=org_admin, event_id=five_places.pk, split_allowed=True,
                                         members=[member(i) for i in range(7)])
    statuses = [m.registration.status for m in split.members.order_by("pk")]
    assert statuses == ["confirmed"] * 5 + ["waitlisted"] * 2
    other = EventFactory(published=True, capacity=5, venue=VenueFactory(name="Small hall"))
    whole = services.delegation_register(actor=org_admin, event_id=other.pk, members=[member(i) for i in range(4)])
    assert {m.registration.status for m in whole.members.all()} == {"confirmed"}


@pytest.mark.django_db
def test_bad_members_get_field_errors_and_nothing_is_saved(org_admin, five_places, technopark):
    UserFactory(organization=technopark, email="taken@cbtp.example")
    services.registration_create(event_id=five_places.pk, user=UserFactory(organization=technopark, email="taken2@cbtp.example"))
    rows = [
        member(0, passport_number="12-34"),
        member(1, date_of_birth=timezone.localdate() + dt.timedelta(days=1)),
        member(2, email="member0@cbtp.example"),
        member(3, passport_number="M1000004"), member(4),  # duplicate passport number (member 4's own is M1000004)
        member(5, email="taken2@cbtp.example"),
    ]
    with pytest.raises(ValidationError) as caught:
        services.delegation_register(actor=org_admin, event_id=five_places.pk, members=rows)
    errors = caught.value.message_dict
    assert "6 to 9 letters" in errors["members-0-passport_number"][0]
    assert "past" in errors["members-1-date_of_birth"][0]
    assert "already in the delegation" in errors["members-2-email"][0]
    assert "already in the delegation" in errors["members-4-passport_number"][0]
    assert "already registered" in errors["members-5-email"][0]
    assert not Delegation.objects.exists() and not DelegationMember.objects.exists()
    assert Registration.objects.filter(event=five_places).count() == 1


@pytest.mark.django_db
def test_passport_data_only_for_the_officer_and_the_delegations_administrator(
    client, org_admin, five_places, technopark, events_officer, kitb, staff_user
):
    delegation = services.delegation_register(
        actor=org_admin, event_id=five_places.pk, members=[member(1, passport_number=PASSPORT)])
    detail = reverse("events:delegation_detail", args=[delegation.pk])
    visa = reverse("events:delegation_visa_list", args=[delegation.pk])
    client.force_login(org_admin)
    assert PASSPORT in client.get(detail).content.decode()
    assert PASSPORT in client.get(visa).content.decode("utf-8-sig")
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example")
    client.force_login(colleague)
    assert PASSPORT not in client.get(detail).content.decode()
    assert client.get(visa).status_code == 404
    # co-organiser export and every admin page and export a non-authorised staff role sees
    five_places.organizers.add(technopark)
    client.force_login(org_admin)
    assert PASSPORT not in client.get(reverse("events:manage_registrations_csv", args=[five_places.pk])).content.decode("utf-8-sig")
    other_staff = UserFactory(staff=True, organization=kitb, email="po@kitb.example")
    other_staff.groups.add(Group.objects.get(name=PARTNERSHIPS_OFFICER))
    reg = delegation.members.get().registration
    for user, sees in ((other_staff, False), (events_officer, True)):
        client.force_login(user)
        pages = [
            reverse("admin:events_delegation_change", args=[delegation.pk]),
            reverse("admin:events_registration_change", args=[reg.pk]),
            reverse("admin:events_event_change", args=[five_places.pk]),
            reverse("admin:events_registration_changelist"),
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert (PASSPORT in response.content.decode()) == (sees and "delegation" in url), (user.email, url)
        exported = client.post(reverse("admin:events_registration_changelist"),
                               {"action": "export_admin_action", "_selected_action": [reg.pk], "format": "0"})
        assert PASSPORT not in exported.content.decode("utf-8", "ignore")
    officer_csv = client.post(reverse("admin:events_delegation_changelist"),
                              {"action": "visa_list", "_selected_action": [delegation.pk]})
    assert PASSPORT in officer_csv.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_retention_sweep_deletes_passport_data_after_the_event(settings, org_admin, five_places):
    settings.EVENTS_PASSPORT_RETENTION_DAYS = 10
    delegation = services.delegation_register(actor=org_admin, event_id=five_places.pk, members=[member(1)])
    assert services.passport_data_purge(now=five_places.end + dt.timedelta(days=9)) == 0
    assert services.passport_data_purge(now=five_places.end + dt.timedelta(days=11)) == 1
    kept = DelegationMember.objects.get(delegation=delegation)
    assert (kept.passport_name, kept.passport_number, kept.nationality, kept.date_of_birth) == ("", "", "", None)
    assert kept.full_name == "Member 1" and kept.passport_purged_at is not None
    assert services.passport_data_purge(now=five_places.end + dt.timedelta(days=12)) == 0
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="events.tasks.passport_data_purge", enabled=True).exists()


@pytest.mark.django_db
def test_editable_until_the_deadline(org_admin, five_places):
    delegation = services.delegation_register(actor=org_admin, event_id=five_places.pk, members=[member(1), member(2)])
    first, second = delegation.members.order_by("pk")
    services.delegation_update(actor=org_admin, delegation_id=delegation.pk, remove_ids=[second.pk],
                               members=[{"id": first.pk, **member(1, position="Director")}, member(3)])
    assert sorted(delegation.members.values_list("position", flat=True)) == ["Director", "Engineer"]
    assert Registration.objects.get(email="member2@cbtp.example").status == "cancelled"
    Delegation.objects.filter(pk=delegation.pk).update(editable_until=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.delegation_update(actor=org_admin, delegation_id=delegation.pk, members=[member(4)])


@pytest.mark.django_db
def test_delegation_pages_are_scoped(client, org_admin, five_places, province):
    delegation = services.delegation_register(actor=org_admin, event_id=five_places.pk, members=[member(1)])
    other_admin = UserFactory(organization=province, email="boss@province.example", is_org_admin=True)
    client.force_login(other_admin)
    for name in ("delegation_detail", "delegation_edit", "delegation_visa_list"):
        assert client.get(reverse(f"events:{name}", args=[delegation.pk])).status_code == 404, name
    assert delegation.name not in client.get(reverse("events:delegation_list")).content.decode()
    plain = UserFactory(organization=province, email="plain@province.example")
    client.force_login(plain)
    assert client.get(reverse("events:delegation_create", args=[five_places.pk])).status_code == 404


@pytest.mark.django_db
def test_delegation_page_queries_flat(client, org_admin, staff_user):
    event = EventFactory(published=True, capacity=100, venue=VenueFactory(name="Flat hall"), actor=staff_user)
    small = services.delegation_register(actor=org_admin, event_id=event.pk, members=[member(i) for i in range(2)])
    large = services.delegation_register(actor=org_admin, event_id=event.pk, name="Big",
                                         members=[member(i, email=f"big{i}@cbtp.example", passport_number=f"B{1000000 + i}") for i in range(12)])
    client.force_login(org_admin)
    urls = [reverse("events:delegation_detail", args=[d.pk]) for d in (small, large)]
    client.get(urls[0])
    assert_flat_queries(count_queries(client.get, urls[0]), count_queries(client.get, urls[1]), limit=15)
