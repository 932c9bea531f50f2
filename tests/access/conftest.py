"""The access tests' world: two partner organisations with real objects of every kind, and one user
per role of the access matrix, each role logged in. Built once per process for the whole package (in a
transaction rolled back at the end: tests.utils.built_once); each test runs in a savepoint of it, so a
POST that does change something is undone."""
from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from kitb_portal.accounts import access
from kitb_portal.accounts.roles import sync_role_permissions
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import built_once, plain_pack_pdfs_context


def login(client: Client, user) -> Client:
    """Logs a user in as the tests' ``force_login`` does: staff whose admin asks a second factor get a
    session that passed it."""
    from tests.conftest import force_login_verified

    if user is not None:
        force_login_verified(client, user)
    return client


def client_as(world, role) -> Client:
    """The role's client holding the role's session: each role logged in once per process (in the
    world's transaction, see ``world``), and every request starts from a fresh copy of that session's
    cookies, so what one request does to its client (a new CSRF cookie, a logout) never reaches the
    next. The client itself is the role's for the whole walk: a client's only state between requests
    is its cookies, and a new one would build the middleware chain again for each request."""
    client = world.clients.get(role)
    if client is None:
        client = world.clients[role] = Client()
    client.cookies = copy.deepcopy(world.cookies[role])
    return client


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> user (None: anonymous, guest)
    objects: dict = field(default_factory=dict)  # "app_label.model" -> the object the walk addresses
    secrets: dict = field(default_factory=dict)  # kind -> live secret of a victim
    secret_owner: dict = field(default_factory=dict)  # kind -> the role whose own secret it is
    guest_token: str = ""
    attended_guest_token: str = ""  # the same guest's link of an event they attended
    feed_token: str = ""
    unsubscribe_token: str = ""
    invitation_token: str = ""
    reset: tuple = ("", "")  # (uidb64, token) of the administrator's password reset
    org_a_markers: list = field(default_factory=list)  # text only organisation A's records show
    job = None
    zone = None
    mou_draft_doc = None
    application_doc = None
    milestone = None  # the walk's project's milestone with evidence
    closed_meeting = None  # a closed committee meeting with frozen minutes
    cookies: dict = field(default_factory=dict)  # role -> the cookies of its logged-in session (none: anonymous, guest)
    clients: dict = field(default_factory=dict)  # role -> its test client (see client_as)


def _build(tmp_root) -> World:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from events import services as event_services
    from events.models import Event, Feedback, Registration
    from kitb_portal.accounts import services as account_services
    from kitb_portal.accounts.models import Invitation
    from kitb_portal.jobs.models import BackgroundJob
    from kitb_portal.notifications.models import DigestRun, NotificationPreference, OutboxMessage
    from kitb_portal.notifications.tokens import make_token
    from partnerships import services as mou_services
    from partnerships.models import DocumentApproval, MoU, MoUTerm
    from tenants import services as tenant_services
    from tenants.models import Application, ExchangeRate, Plot, ScreeningSettings
    from tests.events.factories import EventFactory, RoomFactory, SpeakerFactory, VenueFactory
    from tests.partnerships.factories import CommitmentFactory, mou_with_parties, pdf_upload
    from tests.tenants.conftest import add_required_documents
    from tests.tenants.factories import ApplicationFactory, CriterionFactory, PlotFactory, SectorFactory, ZoneFactory

    w = World()
    sync_role_permissions()
    kitb = OrganizationFactory(host=True)
    org_a = OrganizationFactory(name="Alpha Technopark", local_name="알파테크노파크", kind="technopark", country="KR")
    org_b = OrganizationFactory(name="Bravo Province", local_name="브라보도", kind="government", country="KR")

    def staff(role, email, **kw):
        user = UserFactory(staff=True, organization=kitb, email=email, full_name=f"{role} person", **kw)
        if role in access.ROLE_GROUPS:
            user.groups.add(Group.objects.get(name=access.ROLE_GROUPS[role]))
        return user

    u = w.users
    u[access.ADMINISTRATOR] = staff(access.ADMINISTRATOR, "kitb-admin@kitb.example")
    u[access.PARTNERSHIPS] = staff(access.PARTNERSHIPS, "partnerships@kitb.example")
    u[access.EVENTS] = staff(access.EVENTS, "events@kitb.example")
    u[access.SCREENING] = staff(access.SCREENING, "reviewer@kitb.example")
    u[access.STAFF_NO_GROUP] = staff(access.STAFF_NO_GROUP, "nogroup@kitb.example")
    u[access.SUPERUSER] = staff(access.SUPERUSER, "root@kitb.example", is_superuser=True)
    u[access.PARTNER] = UserFactory(organization=org_a, email="alpha-user@alpha.example", full_name="Alpha User")
    u[access.PARTNER_ADMIN] = UserFactory(organization=org_a, email="alpha-admin@alpha.example", full_name="Alpha Admin", is_org_admin=True)
    u[access.OTHER_PARTNER] = UserFactory(organization=org_b, email="bravo-user@bravo.example", full_name="Bravo User")
    u[access.ANONYMOUS] = None
    u[access.GUEST] = None
    officer, partner, partner_admin = u[access.PARTNERSHIPS], u[access.PARTNER], u[access.PARTNER_ADMIN]
    # Each role's session, made once: the tests' requests run in savepoints inside the world's
    # transaction, so a request that changes its session (a logout, a new key) is undone with the rest.
    # Made before anything else, as the walk's first role (anonymous) saw the world: a login changes
    # the user's last_login, which the administrator's password-reset link made below depends on.
    for role, user in u.items():
        w.cookies[role] = login(Client(), user).cookies

    # --- partnerships: an MoU of A in negotiation with a draft, one of B; commitments, a note, a term
    mou_a = mou_with_parties(kitb, org_a, owner=officer, reference="KITB/ALPHA/1", title_en="Alpha Secret Accord")
    mou_services.mou_start_negotiation(mou_id=mou_a.pk, actor=officer)
    w.mou_draft_doc = mou_services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload())
    mou_services.document_decide(actor=partner_admin, document_id=w.mou_draft_doc.pk, decision="approved")
    mou_with_parties(kitb, org_b, owner=officer, reference="KITB/BRAVO/1", title_en="Bravo Accord")
    commitment = CommitmentFactory(mou=mou_a, responsible_organization=org_a, description="Alpha commitment xyzzy")
    note = mou_services.note_add(actor=partner, mou_id=mou_a.pk, text="Alpha note plugh")
    progress = mou_services.commitment_progress_post(actor=partner, commitment_id=commitment.pk, text="Alpha progress",
                                                     evidence=pdf_upload())
    # the MoU's annual review pack: a narrative, one frozen version (its files), organisation A's answer
    from kitb_portal.reports import services as pack_services

    narrative = pack_services.review_narrative_save(actor=officer, subject="mou", subject_id=mou_a.pk, period_kind="calendar",
                                                    year=2025, language="en", summary="Alpha summary", next_plan="")
    with plain_pack_pdfs_context():  # the walk downloads the PDF, never reads inside it: no WeasyPrint
        pack = mou_services.review_pack_build(actor=officer, mou_id=mou_a.pk, year=2025)
    active = mou_with_parties(kitb, org_a, owner=officer, reference="KITB/ALPHA/2", title_en="Alpha Active Accord",
                              status=MoU.Status.ACTIVE, signed_date=dt.date(2025, 1, 10), effective_date=dt.date(2025, 1, 10),
                              expiry_date=dt.date(2028, 1, 9))
    term = MoUTerm.objects.filter(mou=active).first() or MoUTerm.objects.create(
        mou=active, term_number=1, effective_date=active.effective_date, expiry_date=active.expiry_date, ended_status="active")
    w.org_a_markers += ["Alpha Secret Accord", "KITB/ALPHA/1", "xyzzy", "plugh"]

    # --- events: a published public event, a partner's registration, a guest's, feedback, a feed
    venue = VenueFactory(name="Alpha Hall")
    room = RoomFactory(venue=venue)
    speaker = SpeakerFactory()
    event = EventFactory(published=True, is_public=True, venue=venue, actor=u[access.EVENTS], title_en="Open Seminar")
    registration = event_services.registration_create(event_id=event.pk, user=partner)
    guest = event_services.registration_request_guest(
        event_id=event.pk, name="Guest Person", email="guest@outside.example", organization_name="Outside Co.")
    event_services.registration_confirm_guest(token=guest.token)
    w.guest_token = guest.token
    past = EventFactory(online=True, status=Event.Status.COMPLETED, actor=u[access.EVENTS],
                        start=timezone.now() - dt.timedelta(days=5), end=timezone.now() - dt.timedelta(days=5) + dt.timedelta(hours=2))
    attended = Registration.objects.create(event=past, user=partner, name=partner.full_name, email=partner.email,
                                           organization=org_a, status="attended", checked_in_at=past.start)
    feedback = Feedback.objects.create(registration=attended, rating=5, comment="Alpha feedback")
    w.feed_token = event_services.calendar_feed_get_or_create(user=partner).token
    attended_guest = Registration.objects.create(event=past, name="Guest Person", email="guest@outside.example",
                                                 status="attended", checked_in_at=past.start, token=secrets.token_urlsafe(32))
    w.attended_guest_token = attended_guest.token

    # --- partners as co-workers: organisation A co-organises the event (a session with a speaker),
    # proposes one, has an authorised colleague, registered a delegation (passport data) with letters
    from django.core.files.uploadedfile import SimpleUploadedFile

    from events.models import EventProposer, Session
    from kitb_portal.common.pdf import sample_pdf_bytes

    event.organizers.add(kitb, org_a)
    session = Session.objects.create(event=event, title="Alpha opening", start=event.start, end=event.start + dt.timedelta(hours=1))
    session.speakers.add(speaker)
    colleague = UserFactory(organization=org_a, email="alpha-proposer@alpha.example", full_name="Alpha Proposer")
    event_services.proposer_set(actor=partner_admin, user_id=colleague.pk, authorised=True)
    proposal = event_services.proposal_submit(
        actor=partner_admin, kind="seminar", title_en="Alpha proposal quux", description_en="A proposal of Alpha.",
        preferred_start=timezone.now() + dt.timedelta(days=40), preferred_end=timezone.now() + dt.timedelta(days=40, hours=4),
        mode="on_site", expected_audience=40)
    passport = "M7654321"
    delegation = event_services.delegation_register(actor=partner_admin, event_id=event.pk, name="Alpha delegation frobnitz", members=[{
        "full_name": "Alpha Member", "position": "Engineer", "email": "member@alpha.example", "passport_name": "ALPHA MEMBER",
        "passport_number": passport, "nationality": "KR", "date_of_birth": dt.date(1980, 1, 2), "dietary": [], "allergies": "",
        "accessibility": "",
    }])
    events_officer = type(u[access.EVENTS]).objects.get(pk=u[access.EVENTS].pk)
    letter = event_services.visa_letters_issue(actor=events_officer, delegation_id=delegation.pk)[0]
    certificate = event_services.certificate_for(attended)
    presentation = event_services.presentation_add(
        actor=events_officer, event_id=event.pk, title="Open slides", is_published=True,
        uploaded=SimpleUploadedFile("slides.pdf", sample_pdf_bytes("Slides"), content_type="application/pdf"))
    w.org_a_markers += ["Alpha proposal quux", "Alpha delegation frobnitz"]

    # --- tenants: reference data, a draft application of A with documents, one in screening with a review
    sector = SectorFactory(code="new-energy")
    criterion = CriterionFactory(code="fit")
    rate = ExchangeRate.objects.get_or_create(currency="KRW", defaults={"usd_rate": Decimal("0.00075"), "idr_rate": Decimal("11.5")})[0]
    settings_row = ScreeningSettings.objects.get_or_create(pk=1)[0]
    settings_row.save()  # a history row for its history pages
    draft = ApplicationFactory(referrer=org_a, sector=sector, created_by=partner, company_name="Alpha Battery Co.")
    add_required_documents(draft, partner)
    w.application_doc = draft.documents.first()
    screening = ApplicationFactory(referrer=org_a, sector=sector, created_by=partner, company_name="Alpha Screened Co.")
    add_required_documents(screening, partner)
    tenant_services.application_submit(application_id=screening.pk, actor=partner)
    tenant_services.application_start_screening(application_id=screening.pk, actor=u[access.ADMINISTRATOR])
    assignment = tenant_services.review_assign(application_id=screening.pk, reviewer=u[access.SCREENING], actor=u[access.ADMINISTRATOR])
    comment = tenant_services.comment_add(application_id=screening.pk, actor=u[access.ADMINISTRATOR], body="internal remark")
    ApplicationFactory(referrer=org_b, sector=sector, company_name="Bravo Co.")
    w.org_a_markers += ["Alpha Battery Co.", "Alpha Screened Co."]

    root = ZoneFactory(code="kitb", name="KITB", area_ha=Decimal("4300"))
    w.zone = ZoneFactory(code="phase-1", name="Phase 1", area_ha=Decimal("450"), parent=root)
    plot = PlotFactory(code="P1-01", zone=w.zone, area_ha=Decimal("12"), grid_row=0, grid_col=0)
    PlotFactory(code="P1-02", zone=w.zone, area_ha=Decimal("12"), grid_row=0, grid_col=1)
    approved = ApplicationFactory(referrer=org_a, sector=sector, status=Application.Status.APPROVED, company_name="Alpha Tenant Co.")
    allocation = tenant_services.plot_allocate(plot_id=plot.pk, application_id=approved.pk, actor=u[access.ADMINISTRATOR])

    # --- the journey: a committee meeting (chaired by the administrator, the screening member sits in it)
    # with an application of A on its agenda and the member's vote; a closed meeting with frozen minutes;
    # the approved application's project (its first milestone confirmed with evidence); an expression of
    # interest of A with a preferred plot; a site visit
    from tenants.models import Milestone
    from tests.partnerships.factories import pdf_upload as evidence_pdf

    kitb_admin, member = u[access.ADMINISTRATOR], u[access.SCREENING]
    before_committee = ApplicationFactory(referrer=org_a, sector=sector, status=Application.Status.COMMITTEE,
                                          company_name="Alpha Committee Co.")
    meeting = tenant_services.meeting_schedule(actor=kitb_admin, title="Alpha committee sitting", held_at=timezone.now(),
                                               chair=kitb_admin, members=[member])
    agenda_item = tenant_services.meeting_agenda_add(meeting_id=meeting.pk, application_id=before_committee.pk, actor=kitb_admin)
    tenant_services.meeting_attendance_set(meeting_id=meeting.pk, present_user_ids=[kitb_admin.pk, member.pk], actor=kitb_admin)
    vote = tenant_services.meeting_vote(meeting_id=meeting.pk, application_id=before_committee.pk, voter=member, choice="approve",
                                        actor=member)
    closed_meeting = tenant_services.meeting_schedule(actor=kitb_admin, title="Earlier sitting", held_at=timezone.now() - dt.timedelta(days=7),
                                                      chair=kitb_admin, members=[member], quorum=2)
    tenant_services.meeting_attendance_set(meeting_id=closed_meeting.pk, present_user_ids=[kitb_admin.pk, member.pk], actor=kitb_admin)
    tenant_services.meeting_minutes_write(meeting_id=closed_meeting.pk, minutes="Nothing was decided.", actor=kitb_admin)
    closed_meeting = tenant_services.meeting_close(meeting_id=closed_meeting.pk, actor=kitb_admin)
    project = tenant_services.project_open(application=approved, actor=kitb_admin)
    milestone = Milestone.objects.filter(project=project).order_by("position").first()
    tenant_services.milestone_confirm(milestone_id=milestone.pk, actual_on=timezone.localdate(), evidence=evidence_pdf(), actor=kitb_admin)
    free_plot = Plot.objects.get(code="P1-02")
    interest = tenant_services.interest_submit(actor=partner, company_name="Alpha Interest waldo", company_country="KR", sector=sector,
                                               investment_min=1, investment_max=2, investment_currency="USD", land_ha=3, timing="2027",
                                               plot_ids=[free_plot.pk])
    site_visit = tenant_services.site_visit_schedule(application_id=screening.pk, scheduled_at=timezone.now() + dt.timedelta(days=3),
                                                     host=kitb_admin, visitors="Alpha visitors", actor=kitb_admin)
    w.milestone = milestone
    w.closed_meeting = closed_meeting
    w.org_a_markers += ["Alpha Tenant Co.", "Alpha Interest waldo"]

    # --- accounts and notifications: an invitation, a password reset of the administrator, tokens
    invitation = account_services.user_invite(actor=partner_admin, email="newcomer@alpha.example", full_name="New Comer",
                                              organization=org_a, language="en")
    w.invitation_token = invitation.token
    victim = u[access.ADMINISTRATOR]  # asks for a password reset: its link sits in the outbox
    from django.urls import reverse

    Client().post(reverse("accounts:password_reset"), {"email": victim.email})
    # The stored row holds a placeholder; the live link is made when the e-mail is built for sending.
    from kitb_portal.notifications.delivery import build_email

    body = build_email(OutboxMessage.objects.get(template="accounts/email/password_reset", recipient=victim)).body
    w.reset = re.search(r"/password/reset/([^/\s]+)/([^/\s]+)/", body).groups()
    assert w.reset[0] == urlsafe_base64_encode(force_bytes(victim.pk)) and default_token_generator.check_token(victim, w.reset[1])
    w.unsubscribe_token = make_token(partner.pk, "event_reminder")
    preference = NotificationPreference.objects.get_or_create(user=partner)[0]
    digest = DigestRun.objects.create(user=partner, frequency="daily", period="2026-01-01", since=timezone.now() - dt.timedelta(days=1),
                                      until=timezone.now(), status="sent", outbox_key="digest:test")
    outbox = OutboxMessage.objects.get(template="accounts/email/password_reset", recipient=victim)  # its link is live
    job = BackgroundJob.objects.create(kind="export", status="failed", error="test failure", started_at=timezone.now(), finished_at=timezone.now(),
                                       model_label="partnerships.mou",
                                       resource_path="partnerships.resources.MoUResource", file_format="csv", started_by=officer)
    w.job = job

    # --- the contact directory and API tokens: a contact of A, the partner user's own token
    contact = account_services.contact_create(actor=partner_admin, organization=org_a, data={
        "full_name": "Alpha Contact grault", "position": "Director", "email": "contact@alpha.example", "languages": ["ko"]})
    api_token = account_services.api_token_create(actor=partner, name="Alpha script", scope="read", expires_in_days=30)[0]
    w.org_a_markers += ["Alpha Contact grault"]

    # --- lockouts
    attempt = AccessAttempt.objects.create(username="someone@alpha.example", ip_address="10.0.0.1", user_agent="x", failures_since_start=1)
    log = AccessLog.objects.create(username="alpha-user@alpha.example", ip_address="10.0.0.1", user_agent="x")
    failure = AccessFailureLog.objects.create(username="someone@alpha.example", ip_address="10.0.0.1", user_agent="x", locked_out=False)

    # Live secrets of other people that no page may show (the second test looks for each).
    w.secrets = {
        "password reset token": w.reset[1],
        "invitation token": w.invitation_token,
        "guest manage token": w.guest_token,
        "attended guest token": w.attended_guest_token,
        "passport number": passport,
        "calendar feed token": w.feed_token,
        "unsubscribe token": w.unsubscribe_token,
    }

    # kind -> the roles whose own secret it is (passport data: the events officer and the delegation's administrator)
    w.secret_owner = {"calendar feed token": (access.PARTNER,), "unsubscribe token": (access.PARTNER,),
                      "guest manage token": (access.GUEST,), "attended guest token": (access.GUEST,),
                      "passport number": (access.EVENTS, access.PARTNER_ADMIN)}

    from django.contrib.auth.models import Group as AuthGroup
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

    clocked = ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=1))
    solar = SolarSchedule.objects.create(event="sunrise", latitude=Decimal("-6.9"), longitude=Decimal("109.7"))
    w.objects = {
        "auth.group": AuthGroup.objects.get(name=access.KITB_ADMINISTRATOR),
        "django_celery_beat.periodictask": PeriodicTask.objects.order_by("pk").first(),
        "django_celery_beat.clockedschedule": clocked,
        "django_celery_beat.crontabschedule": CrontabSchedule.objects.order_by("pk").first() or CrontabSchedule.objects.create(),
        "django_celery_beat.solarschedule": solar,
        "django_celery_beat.intervalschedule": IntervalSchedule.objects.order_by("pk").first()
        or IntervalSchedule.objects.create(every=10, period="minutes"),
        "axes.accessattempt": attempt, "axes.accesslog": log, "axes.accessfailurelog": failure,
        "accounts.organization": org_a, "accounts.user": partner, "accounts.invitation": Invitation.objects.get(pk=invitation.pk),
        "notifications.outboxmessage": outbox, "notifications.notificationpreference": preference,
        "notifications.digestrun": digest, "jobs.backgroundjob": job,
        "partnerships.mou": mou_a, "partnerships.commitment": commitment, "partnerships.mouparty": mou_a.parties.order_by("pk").last(),
        "partnerships.moudocument": w.mou_draft_doc, "partnerships.documentapproval": DocumentApproval.objects.order_by("pk").first(),
        "partnerships.mounote": note, "partnerships.mouterm": term,
        "events.venue": venue, "events.room": room, "events.speaker": speaker, "events.event": event,
        "events.registration": registration, "events.feedback": feedback,
        "tenants.application": screening, "tenants.zone": w.zone, "tenants.plot": plot, "tenants.allocation": allocation,
        "tenants.sector": sector, "tenants.exchangerate": rate, "tenants.screeningcriterion": criterion,
        "tenants.screeningsettings": settings_row, "tenants.review": assignment.review, "tenants.reviewassignment": assignment,
        "draft_application": draft, "comment": comment, "past_event": past,
        "partnerships.commitmentprogress": progress, "reports.reviewnarrative": narrative, "reports.reviewpackversion": pack,
        "events.session": session, "events.eventproposal": proposal, "events.eventproposer": EventProposer.objects.get(user=colleague),
        "events.delegation": delegation,
        "delegation_member": delegation.members.get(), "events.issueddocument": letter, "certificate": certificate,
        "events.presentation": presentation, "attended_registration": attended,
        "accounts.contact": contact, "accounts.apitoken": api_token,
        "tenants.committeemeeting": meeting, "tenants.agendaitem": agenda_item, "tenants.meetingvote": vote,
        "tenants.tenantproject": project, "tenants.milestone": milestone, "tenants.expressionofinterest": interest,
        "tenants.plotpreference": interest.plot_preferences.get(),
        "tenants.sitevisit": site_visit,
    }
    missing = [label for label, obj in w.objects.items() if obj is None]
    assert not missing, f"the access world lacks {missing}"
    return w



@pytest.fixture(autouse=True)
def private_media():
    """The walk's files live in the module's world (its own PRIVATE_MEDIA_ROOT), not a folder per test."""

@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test.utils import override_settings

    root = tmp_path_factory.mktemp("private")
    with override_settings(PRIVATE_MEDIA_ROOT=root, MEDIA_ROOT=root, SITE_URL="https://portal.kitb.example"):
        yield from built_once(django_db_blocker, _build, root)
