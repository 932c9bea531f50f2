"""The state machines of events/workflow.py: every declared transition passes from its sources,
does nothing from its "done" statuses, and from any other status raises the ValidationError the
service raised before the machines were declared (the same message, word for word); the actor
checks raise the services' PermissionDenied. The services go through the declarations."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from events import services, workflow
from events.models import Event, EventProposal, EventStatus, ProposalStatus, Registration, RegistrationStatus
from tests.factories import UserFactory

from .factories import EventFactory

# What the services said before events/workflow.py existed, per (transition, status).
REFUSED = {
    ("event.publish", EventStatus.CANCELLED): ("Only a draft can be published (this event is Cancelled).", None),
    ("event.publish", EventStatus.COMPLETED): ("Only a draft can be published (this event is Completed).", None),
    ("event.cancel", EventStatus.COMPLETED): ("A completed event cannot be cancelled.", None),
    ("event.complete", EventStatus.DRAFT): ("Only a published event that has ended can be completed.", None),
    ("event.complete", EventStatus.CANCELLED): ("Only a published event that has ended can be completed.", None),
    ("registration.cancel", RegistrationStatus.ATTENDED): (
        "The event has started; the registration can no longer be cancelled.", "started"),
    ("registration.check_in", RegistrationStatus.WAITLISTED): ("Budi is on the waitlist, without a confirmed place.", None),
    ("registration.check_in", RegistrationStatus.PENDING): (
        "Budi has no confirmed place (Awaiting e-mail confirmation).", None),
    ("registration.check_in", RegistrationStatus.CANCELLED): ("Budi has no confirmed place (Cancelled).", None),
    ("registration.check_in", RegistrationStatus.EXPIRED): ("Budi has no confirmed place (Lapsed (not confirmed)).", None),
    ("registration.confirm_guest", RegistrationStatus.EXPIRED): (
        "This registration lapsed because it was not confirmed within 24 hours.", "expired"),
    ("registration.confirm_guest", RegistrationStatus.CANCELLED): ("This registration was cancelled.", "cancelled"),
    ("proposal.update", ProposalStatus.ACCEPTED): ("This proposal was Accepted; it can no longer be changed.", None),
    ("proposal.update", ProposalStatus.DECLINED): ("This proposal was Declined; it can no longer be changed.", None),
    **{
        (f"proposal.{name}", status): (f"This proposal is {label}; only a submitted proposal can be decided.", None)
        for name in ("accept", "request_changes", "decline")
        for status, label in ((ProposalStatus.CHANGES_REQUESTED, "Changes requested"),
                              (ProposalStatus.ACCEPTED, "Accepted"), (ProposalStatus.DECLINED, "Declined"))
    },
}

MODELS = {"event": (Event, EventStatus), "registration": (Registration, RegistrationStatus),
          "proposal": (EventProposal, ProposalStatus)}


def _record(name: str, status: str):
    model, _statuses = MODELS[name.split(".")[0]]
    return model(status=status, **({"name": "Budi"} if model is Registration else {}))


def _every_status():
    for name in workflow.TRANSITIONS:
        for status in MODELS[name.split(".")[0]][1].values:
            yield name, status


def test_every_transition_names_real_statuses_and_a_role():
    for name, t in workflow.TRANSITIONS.items():
        statuses = set(MODELS[name.split(".")[0]][1].values)
        assert t.sources and t.sources <= statuses, name
        assert t.targets and t.targets <= statuses, name
        assert t.done <= statuses and not (t.done & t.sources), name
        assert t.who and t.who <= set(workflow.ROLE_CHECKS), name
        assert not t.service or hasattr(services, t.service), name


@pytest.mark.parametrize(("name", "status"), list(_every_status()))
def test_each_status_is_allowed_done_or_refused_with_the_services_message(name, status):
    t = workflow.TRANSITIONS[name]
    record = _record(name, status)
    with translation.override("en"):
        if status in t.sources:
            assert workflow.check_status(record, name) is True
        elif status in t.done:
            assert workflow.check_status(record, name) is False
        else:
            with pytest.raises(ValidationError) as exc:
                workflow.check_status(record, name)
            if (name, status) in REFUSED:
                message, code = REFUSED[name, status]
                assert exc.value.messages == [message]
                assert exc.value.code == code


def test_the_declared_machines():
    T = workflow.TRANSITIONS
    assert (T["event.publish"].sources, T["event.publish"].targets) == ({"draft"}, {"published"})
    assert T["event.cancel"].sources == {"draft", "published"} and T["event.complete"].sources == {"published"}
    assert T["registration.cancel"].sources == {"pending", "confirmed", "waitlisted"}
    assert T["registration.check_in"].sources == {"confirmed"} and T["registration.check_in"].targets == {"attended"}
    assert T["proposal.update"].sources == {"submitted", "changes_requested"}
    assert all(T[f"proposal.{n}"].sources == {"submitted"} for n in ("accept", "request_changes", "decline"))


# --- who may fire ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_only_kitb_or_the_system_publishes_and_cancels(partner_a, staff_user):
    for name in ("event.publish", "event.cancel"):
        assert workflow.may_fire(staff_user, name) and workflow.may_fire(None, name)
        with translation.override("en"), pytest.raises(PermissionDenied) as exc:
            workflow.require(partner_a, name)
        assert str(exc.value) == "Only KITB staff publish, cancel, move or resize an event."


@pytest.mark.django_db
def test_only_the_events_officer_decides_and_only_the_proposers_organisation_changes(partner_a, staff_user, technopark, province):
    proposal = EventProposal(status=ProposalStatus.SUBMITTED, organization=technopark)
    with translation.override("en"):
        with pytest.raises(PermissionDenied) as exc:
            workflow.require(partner_a, "proposal.accept")
        assert str(exc.value) == "Only KITB's events officer decides on proposals."
        assert not workflow.can_fire(partner_a, proposal, "proposal.decline")
        org_admin = UserFactory(organization=technopark, is_org_admin=True)
        other_admin = UserFactory(organization=province, is_org_admin=True)
        assert workflow.require(org_admin, "proposal.update", proposal).name == "update"
        with pytest.raises(PermissionDenied) as exc:
            workflow.require(other_admin, "proposal.update", proposal)
        assert str(exc.value) == "You may not change this proposal."


# --- the services go through the declarations ------------------------------------------------------
@pytest.mark.django_db
def test_the_event_services_follow_the_machine(staff_user, partner_a):
    event = EventFactory(actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.event_publish(event_id=event.pk, actor=partner_a)
    services.event_publish(event_id=event.pk, actor=staff_user)  # draft → published: allowed
    assert services.event_publish(event_id=event.pk, actor=staff_user) == []  # done: nothing changes
    services.event_cancel(event_id=event.pk, actor=staff_user)
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.event_publish(event_id=event.pk, actor=staff_user)
    assert exc.value.messages == ["Only a draft can be published (this event is Cancelled)."]


@pytest.mark.django_db
def test_completing_waits_for_the_end_with_the_same_message(staff_user):
    event = EventFactory(published=True, actor=staff_user)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.event_complete(event_id=event.pk)
    assert exc.value.messages == ["Only a published event that has ended can be completed."]
    Event.objects.filter(pk=event.pk).update(start=timezone.now() - dt.timedelta(hours=5), end=timezone.now() - dt.timedelta(hours=1),
                                             registration_closes=None)
    assert services.event_complete(event_id=event.pk).status == EventStatus.COMPLETED
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.event_cancel(event_id=event.pk, actor=staff_user)
    assert exc.value.messages == ["A completed event cannot be cancelled."]


@pytest.mark.django_db
def test_the_registration_services_follow_the_machine(event, partner_a, staff_user):
    registration = services.registration_create(event_id=event.pk, user=partner_a)
    services.registration_check_in(registration_id=registration.pk, actor=staff_user)  # confirmed → attended
    assert services.registration_check_in(registration_id=registration.pk, actor=staff_user).status == "attended"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.registration_cancel(registration_id=registration.pk, actor=partner_a)
    assert exc.value.messages == ["The event has started; the registration can no longer be cancelled."]
    assert exc.value.code == "started"


@pytest.mark.django_db
def test_a_waitlisted_person_is_not_checked_in(staff_user):
    event = EventFactory(published=True, actor=staff_user, capacity=1)
    services.registration_create(event_id=event.pk, user=UserFactory())
    waiting = services.registration_create(event_id=event.pk, user=UserFactory(full_name="Budi"))
    assert waiting.status == RegistrationStatus.WAITLISTED
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.registration_check_in(registration_id=waiting.pk, actor=staff_user)
    assert exc.value.messages == ["Budi is on the waitlist, without a confirmed place."]
    services.registration_cancel(registration_id=waiting.pk, actor=None)  # waitlisted → cancelled: allowed
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CANCELLED
    assert services.registration_cancel(registration_id=waiting.pk, actor=None).status == RegistrationStatus.CANCELLED
