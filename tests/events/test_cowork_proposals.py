"""Partners as co-workers: a partner proposes an event, KITB's events officer accepts it (a draft
with the partner as co-organiser), and the co-organiser edits the agenda from the portal; what a
co-organiser may not do is refused, and every new page is scoped to the organisation."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import EventProposal, Registration, Session
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import VenueFactory, events_officer


def _when(days=30, hours=0):
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=2, minute=0, second=0, microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def org_admin_a(technopark):
    return UserFactory(organization=technopark, email="admin-a@technopark.example", is_org_admin=True, preferred_language="ko")


@pytest.fixture
def org_admin_b(province):
    return UserFactory(organization=province, email="admin-b@province.example", is_org_admin=True)


@pytest.fixture
def officer(kitb):
    """KITB's events officer (the role group)."""
    return events_officer(kitb, email="events@kitb.example", preferred_language="id")


def _propose(actor, **extra):
    fields = dict(
        kind="seminar", title_en="Battery startups day", title_ko="배터리 스타트업의 날", title_id="Hari startup baterai",
        description_en="Pitches and talks.", preferred_start=_when(), preferred_end=_when(hours=6), mode="on_site",
        expected_audience=60, audience_description="Startups from Chungbuk",
    )
    fields.update(extra)
    return services.proposal_submit(actor=actor, **fields)


def _accepted_event(org_admin, officer):
    proposal = _propose(org_admin)
    return services.proposal_accept(actor=officer, proposal_id=proposal.pk, message="Welcome!", venue=VenueFactory(name="Hall P"))


@pytest.mark.django_db
def test_proposal_accepted_becomes_a_coorganised_draft_that_the_partner_edits(client, org_admin_a, officer, technopark, kitb):
    client.force_login(org_admin_a)
    response = client.post(reverse("events:proposal_create"), {
        "kind": "workshop", "title_en": "EV battery workshop", "title_ko": "전기차 배터리 워크숍", "title_id": "",
        "preferred_start": _when().strftime("%Y-%m-%dT%H:%M"), "preferred_end": _when(hours=4).strftime("%Y-%m-%dT%H:%M"),
        "mode": "hybrid", "expected_audience": "40",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = EventProposal.objects.get()
    assert proposal.organization == technopark and proposal.status == "submitted"
    assert OutboxMessage.objects.filter(recipient=officer, kind="event_proposal").exists()

    event = services.proposal_accept(actor=officer, proposal_id=proposal.pk, message="Selamat!", venue=VenueFactory(name="Hall A"))
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.event == event
    assert event.status == "draft" and event.capacity == 40 and event.mode == "hybrid"
    assert set(event.organizers.all()) == {technopark, kitb}
    decided = OutboxMessage.objects.get(recipient=org_admin_a, kind="event_proposal")
    assert decided.language == "ko" and "WIB" in decided.body_text and "KST" in decided.body_text

    page = client.get(reverse("events:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Selamat!" in page and reverse("events:manage_event", args=[event.pk]) in page
    response = client.post(reverse("events:session_create", args=[event.pk]), {
        "title": "Opening", "title_ko": "개회", "start": timezone.localtime(event.start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(event.start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "language": "ko", "interpretation": "on", "speakers": "Kim Min-jun — Chungbuk Technopark",
        "capacity": "999", "venue": "", "status": "published",  # not fields of the form: ignored
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Session.objects.get(event=event)
    assert session.title_ko == "개회" and session.interpretation and session.speakers.get().name == "Kim Min-jun"
    event.refresh_from_db()
    assert event.capacity == 40 and event.status == "draft" and event.venue.name == "Hall A"
    manage = client.get(reverse("events:manage_event", args=[event.pk])).content.decode()
    assert "개회" in manage and "Chungbuk Technopark" in manage and "Kawasan Industri" in manage  # Korean user: Korean title


@pytest.mark.django_db
def test_changes_requested_then_resubmitted_and_declined(org_admin_a, officer):
    proposal = _propose(org_admin_a)
    with pytest.raises(ValidationError):
        services.proposal_request_changes(actor=officer, proposal_id=proposal.pk, message="  ")
    services.proposal_request_changes(actor=officer, proposal_id=proposal.pk, message="Please move it to October")
    services.proposal_update(actor=org_admin_a, proposal_id=proposal.pk, preferred_start=_when(40), preferred_end=_when(40, 5))
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    services.proposal_decline(actor=officer, proposal_id=proposal.pk, message="No budget this year")
    with pytest.raises(ValidationError):
        services.proposal_update(actor=org_admin_a, proposal_id=proposal.pk, title_en="x")
    reasons = list(proposal.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["submitted", "changes_requested", "resubmitted", "declined"]


@pytest.mark.django_db
def test_what_a_coorganiser_may_not_do_is_refused(client, org_admin_a, officer, technopark):
    event = _accepted_event(org_admin_a, officer)
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example")
    for actor in (org_admin_a, colleague):
        with pytest.raises(PermissionDenied):
            services.event_publish(event_id=event.pk, actor=actor)
        with pytest.raises(PermissionDenied):
            services.event_cancel(event_id=event.pk, actor=actor, reason="no")
        with pytest.raises(PermissionDenied):
            services.event_reschedule(event_id=event.pk, actor=actor, start=_when(50), end=_when(50, 2))
        event.capacity = 500
        with pytest.raises(PermissionDenied):
            services.event_save(event=event, actor=actor)
        for change in ({"venue": VenueFactory(name="Elsewhere")}, {"capacity": 500}, {"status": "published"}):
            with pytest.raises(PermissionDenied):
                services.coorganiser_event_change(actor=actor, event_id=event.pk, **change)
        with pytest.raises(PermissionDenied):
            services.agenda_session_save(actor=actor, event_id=event.pk, title="x", start=event.start,
                                         end=event.start + dt.timedelta(hours=1), room=None)
    event.refresh_from_db()
    assert event.status == "draft" and event.capacity == 60 and event.venue.name == "Hall P"
    # a session outside the event's time: a field error, nothing saved
    client.force_login(colleague)
    response = client.post(reverse("events:session_create", args=[event.pk]), {
        "title": "Too late", "start": timezone.localtime(event.end + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(event.end + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "language": "en",
    })
    assert response.status_code == 400 and not Session.objects.filter(event=event).exists()
    # an ordinary colleague may not propose; the administrator can authorise them
    assert client.get(reverse("events:proposal_create")).status_code == 404
    services.proposer_set(actor=org_admin_a, user_id=colleague.pk, authorised=True)
    assert client.get(reverse("events:proposal_create")).status_code == 200


@pytest.mark.django_db
def test_every_new_url_is_scoped_to_the_organisation(client, org_admin_a, org_admin_b, officer):
    event = _accepted_event(org_admin_a, officer)
    session = services.agenda_session_save(actor=org_admin_a, event_id=event.pk, title="S", start=event.start,
                                           end=event.start + dt.timedelta(hours=1), speakers="Lee — CBTP")
    speaker = session.speakers.get()
    proposal = event.proposal
    client.force_login(org_admin_b)
    urls = [
        reverse("events:proposal_detail", args=[proposal.pk]),
        reverse("events:proposal_edit", args=[proposal.pk]),
        reverse("events:manage_event", args=[event.pk]),
        reverse("events:session_create", args=[event.pk]),
        reverse("events:session_edit", args=[event.pk, session.pk]),
        reverse("events:speaker_edit", args=[event.pk, speaker.pk]),
        reverse("events:manage_registrations", args=[event.pk]),
        reverse("events:manage_registrations_csv", args=[event.pk]),
        reverse("events:manage_feedback", args=[event.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("events:session_delete", args=[event.pk, session.pk])).status_code == 404
    assert Session.objects.filter(pk=session.pk).exists()
    # B's admin authorising A's user: refused
    assert client.post(reverse("events:proposers"), {"user": org_admin_a.pk, "authorised": "1"}).status_code == 404
    page = client.get(reverse("events:proposal_list")).content.decode()
    assert proposal.title_en not in page and event.title_en not in page


@pytest.mark.django_db
def test_export_neutralises_formulas_and_shows_counts(client, org_admin_a, officer, staff_user, technopark):
    event = _accepted_event(org_admin_a, officer)
    services.event_publish(event_id=event.pk, actor=officer)
    evil = UserFactory(organization=technopark, email="evil@technopark.example", full_name="=HYPERLINK(\"http://x\")")
    reg = services.registration_create(event_id=event.pk, user=evil)
    client.force_login(org_admin_a)
    body = b"".join([client.get(reverse("events:manage_registrations_csv", args=[event.pk])).content]).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and reg.check_in_code not in body
    page = client.get(reverse("events:manage_registrations", args=[event.pk])).content.decode()
    assert "확정 1명, 대기 0명, 체크인 0명." in page  # the administrator reads Korean


@pytest.mark.django_db
def test_coorganisers_shown_on_portal_and_public_pages(client, org_admin_a, officer, partner_b):
    event = _accepted_event(org_admin_a, officer)
    event.is_public = True
    event.meeting_link = ""
    services.event_save(event=event, actor=officer)
    services.event_publish(event_id=event.pk, actor=officer)
    public = client.get(reverse("events_public:event_detail", args=[event.slug])).content.decode()
    assert "Chungbuk Technopark" in public
    client.force_login(partner_b)
    portal = client.get(reverse("events:event_detail", args=[event.pk])).content.decode()
    assert "Chungbuk Technopark" in portal


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_coorganiser_pages_cost_the_same_queries_at_two_sizes(client, org_admin_a, officer, technopark):
    event = _accepted_event(org_admin_a, officer)
    services.event_publish(event_id=event.pk, actor=officer)
    client.force_login(org_admin_a)
    pages = [reverse("events:manage_event", args=[event.pk]), reverse("events:manage_registrations", args=[event.pk]),
             reverse("events:proposal_list"), reverse("events:manage_feedback", args=[event.pk])]

    def grow(n, start):
        for i in range(start, start + n):
            services.agenda_session_save(actor=org_admin_a, event_id=event.pk, title=f"S{i}",
                                         start=event.start + dt.timedelta(minutes=10 * i),
                                         end=event.start + dt.timedelta(minutes=10 * i + 5), speakers=f"Speaker {i} — Org {i}")
            services.registration_create(event_id=event.pk, user=UserFactory(organization=technopark, email=f"r{i}@tp.example"))
            _propose(org_admin_a, title_en=f"Idea {i}")

    grow(2, 0)
    small = {}
    for url in pages:
        client.get(url)
        small[url] = count_queries(client.get, url)
    grow(8, 2)
    assert Registration.objects.filter(event=event).count() == 10
    for url in pages:
        assert_flat_queries(small[url], count_queries(client.get, url), limit=20)


@pytest.mark.django_db
def test_one_agenda_post_asks_once_whether_the_user_co_organises(client, org_admin_a, officer):
    """The page's event is read through its organisers; the view's and the service's checks reuse that
    answer (they each asked the database again)."""
    event = _accepted_event(org_admin_a, officer)
    client.force_login(org_admin_a)
    data = {
        "title": "Opening", "start": timezone.localtime(event.start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(event.start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "language": "en",
        "speakers": "",
    }
    n, sql, response = count_queries(client.post, reverse("events:session_create", args=[event.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    asked = [s for s in sql if '"events_event_organizers"' in s]
    assert len(asked) == 1, "\n".join(asked)


@pytest.mark.django_db
def test_the_proposal_form_offers_the_organisations_mous_in_force_and_their_open_commitments(client, org_admin_a, kitb, technopark, province, officer):
    """MoUs signed or active by reference, and their open commitments as "reference: description",
    read in one query each however many there are (the labels read no field the options left out)."""
    from partnerships.models import Commitment, MoUStatus
    from tests.partnerships.factories import CommitmentFactory, mou_with_parties

    def mou(reference, status=MoUStatus.ACTIVE, orgs=(kitb, technopark)):
        m = mou_with_parties(*orgs, owner=officer, reference=reference, title_en=f"MoU {reference}", title_ko=f"업무협약 {reference}")
        on = dt.date(2026, 1, 5)  # a state past draft has its dates (the MoU's check constraints)
        type(m).objects.filter(pk=m.pk).update(status=status, signed_date=on, effective_date=on)
        return m

    client.force_login(org_admin_a)
    url = reverse("events:proposal_create")
    b = mou("KITB/B")
    CommitmentFactory(mou=b, description="Joint seminar", responsible_organization=technopark)
    small = count_queries(client.get, url)
    a, c = mou("KITB/A", MoUStatus.SIGNED), mou("KITB/C")
    CommitmentFactory(mou=a, description="Exchange visit", responsible_organization=technopark)
    CommitmentFactory(mou=c, description="Done long ago", responsible_organization=technopark, status=Commitment.Status.DONE,
                     closed_on=dt.date(2026, 3, 1))
    mou("KITB/D", MoUStatus.DRAFT)
    mou("KITB/E", orgs=(kitb, province))
    n, _sql, response = large = count_queries(client.get, url)
    assert_flat_queries(small, large)
    form = response.context["form"]
    assert [m.reference for m in form.fields["mou"].queryset] == ["KITB/A", "KITB/B", "KITB/C"]
    labels = [label for _value, label in form.fields["commitment"].choices][1:]
    assert labels == ["KITB/A: Exchange visit", "KITB/B: Joint seminar"]
    assert "KITB/A — 업무협약 KITB/A" in response.content.decode()  # the MoU's label in the reader's language
