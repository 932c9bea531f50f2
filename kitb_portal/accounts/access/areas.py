"""The areas of the access matrix (what a grant is about: the models it carries the permissions of),
the levels and scopes of a grant, and :class:`Grant` itself."""

from __future__ import annotations

from dataclasses import dataclass

# --- levels -------------------------------------------------------------------------------------
NONE = "none"
READ = "read"
CHANGE = "change"
_RANK = {NONE: 0, READ: 1, CHANGE: 2}

# scopes of a grant (where the role's reach is narrower than "every record of the area")
ALL = ""
OWN_ORG = "own organisation"
OWN = "own"
PUBLISHED = "published"
CO_ORGANISED = "published; proposals and co-organised events: own organisation"
PUBLIC_EVENTS = "public events"
BY_TOKEN = "by its token"


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    #: the models ("app_label.model_name") whose model permissions this area's grants carry
    models: tuple[str, ...] = ()
    #: what the area is, for the README
    about: str = ""


@dataclass(frozen=True)
class Grant:
    level: str = NONE
    scope: str = ALL
    #: for CHANGE: the verbs granted beside "view" (default: add, change, delete)
    verbs: tuple[str, ...] = ("add", "change", "delete")
    #: limit the grant to these models of the area (default: all of them)
    only: tuple[str, ...] = ()
    #: single extra model permissions ("app_label.codename") on top of the level
    extra: tuple[str, ...] = ()

    def allows(self, level: str) -> bool:
        return _RANK[self.level] >= _RANK[level]

    def describe(self) -> str:
        text = self.level
        if self.level == CHANGE and tuple(self.verbs) != ("add", "change", "delete"):
            text += " (" + ", ".join(self.verbs) + ")"
        if self.only:
            text += " (" + ", ".join(label.split(".")[1] for label in self.only) + ")"
        if self.extra:
            text += " + " + ", ".join(p.split(".")[1] for p in self.extra)
        if self.scope:
            text += f", {self.scope}"
        return text



AREAS: dict[str, Area] = {a.key: a for a in [
    Area("mous", "MoUs and partnerships", (
        "partnerships.mou", "partnerships.historicalmou", "partnerships.mouterm", "partnerships.mouparty",
        "partnerships.historicalmouparty", "partnerships.moudocument", "partnerships.historicalmoudocument",
        "partnerships.documentapproval", "partnerships.historicaldocumentapproval", "partnerships.mounote",
        "partnerships.moutarget", "partnerships.historicalmoutarget",
    ), "MoUs, their parties, terms, documents, approvals, notes, targets; their transitions and uploads"),
    Area("review_packs", "Annual review packs", (
        "reports.reviewnarrative", "reports.historicalreviewnarrative", "reports.reviewpackversion",
        "reports.historicalreviewpackversion", "reports.reviewpackfile", "reports.reviewpacksignoff",
        "reports.historicalreviewpacksignoff",
    ), "review packs of MoUs (frozen versions, their files, narratives), the parties' sign-offs"),
    Area("commitments", "Commitments", (
        "partnerships.commitment", "partnerships.historicalcommitment", "partnerships.commitmentprogress",
        "partnerships.historicalcommitmentprogress",
    ), "commitments, their progress reports (partners: the responsible organisation's users) and the owner's decision"),
    Area("events", "Events", (
        "events.venue", "events.historicalvenue", "events.room", "events.speaker", "events.event",
        "events.historicalevent", "events.historicalevent_organizers", "events.session", "events.feedback",
        "events.calendarfeed", "events.eventproposal", "events.historicaleventproposal", "events.eventproposer",
        "events.presentation",
    ), "events, venues, rooms, speakers, sessions, feedback, calendars, calendar feeds, presentation files; partners' "
       "proposals and authorised proposers; co-organisers' pages of their events (agenda, registrations, feedback)"),
    Area("registrations", "Registrations", (
        "events.registration", "events.historicalregistration", "events.delegation", "events.historicaldelegation",
        "events.delegationmember", "events.issueddocument",
    ), "registrations and their exports, delegations and their members (passport data: the events officer and the "
       "delegation's administrator only), visa letters and certificates"),
    Area("checkin", "Check-in", (), "the check-in page at the door (needs the change of registrations)"),
    Area("applications", "Tenant applications", (
        "tenants.application", "tenants.historicalapplication", "tenants.applicationdocument",
        "tenants.statuschange", "tenants.applicationcomment", "tenants.expressionofinterest", "tenants.plotpreference",
        "tenants.sitevisit", "tenants.historicalsitevisit",
    ), "applications, their documents, comments and workflow steps; expressions of interest before an application (partners "
       "send them; staff turn them into a draft or close them), preferred plots, site visits"),
    Area("committee", "Committee meetings", (
        "tenants.committeemeeting", "tenants.meetingmember", "tenants.agendaitem", "tenants.meetingvote",
    ), "screening committee meetings, their members, agenda and votes, the frozen minutes (the meeting's chair also "
       "records the attendance and votes, writes the minutes and closes it: tenants/permissions.py)"),
    Area("projects", "Tenant projects", ("tenants.tenantproject", "tenants.milestone"),
         "tenant projects of approved applications, their milestones and evidence (partners: their organisation's "
         "projects in the portal)"),
    Area("reviews", "Reviews", ("tenants.review", "tenants.reviewscore"), "screening reviews and their scores"),
    Area("assignments", "Reviewer assignments", ("tenants.reviewassignment",)),
    Area("screening", "Screening setup", (
        "tenants.sector", "tenants.screeningcriterion", "tenants.historicalscreeningcriterion",
        "tenants.screeningsettings", "tenants.historicalscreeningsettings", "tenants.exchangerate",
        "tenants.historicalexchangerate",
    ), "sectors, criteria and weights, screening settings, exchange rates"),
    Area("land", "Land", (
        "tenants.zone", "tenants.historicalzone", "tenants.plot", "tenants.historicalplot",
        "tenants.allocation", "tenants.historicalallocation",
    ), "zones, plots, allocations, site plan, land summary"),
    Area("users", "Users and organisations", (
        "accounts.organization", "accounts.historicalorganization", "accounts.user", "accounts.historicaluser",
        "accounts.invitation", "accounts.apitoken",
    ), "users, organisations, invitations, everyone's API tokens (made for a user, revoked); partners: their "
       "organisation's colleague pages"),
    Area("contacts", "Contacts", ("accounts.contact", "accounts.historicalcontact"),
         "the contact directory of organisations (partner organisation administrators: their own organisation's "
         "contacts; partner users read them in the API)"),
    Area("groups", "Role groups", ("auth.group",)),
    Area("outbox", "Outbox and notifications", (
        "notifications.outboxmessage", "notifications.deliveryattempt", "notifications.notificationpreference",
        "notifications.historicalnotificationpreference", "notifications.digestrun",
    ), "the outbox, delivery attempts, everyone's notification preferences, digest runs"),
    Area("jobs", "Jobs, imports and exports", (),
         "background jobs (rules in kitb_portal/jobs/permissions.py); an import needs the model's add and "
         "change permission, an export its view permission"),
    Area("schedules", "Periodic schedules (celery-beat)", (
        "django_celery_beat.periodictask", "django_celery_beat.periodictasks", "django_celery_beat.crontabschedule",
        "django_celery_beat.intervalschedule", "django_celery_beat.solarschedule", "django_celery_beat.clockedschedule",
    )),
    Area("lockouts", "Login lockouts (axes)", (
        "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "axes.accessattemptexpiration",
    )),
    Area("second_factor", "Second-factor devices", ("otp_totp.totpdevice", "otp_static.staticdevice", "otp_static.statictoken"),
         "TOTP devices and recovery codes: kept by their owner (the two-factor pages); no admin pages"),
    Area("history", "History", (), "history pages of records: follow the record's area"),
    Area("account", "Own account", (), "own password, own notification preferences, own calendar feed, own API tokens"),
]}


def area_of_model(label: str) -> str | None:
    for key, area in AREAS.items():
        if label in area.models:
            return key
    return None
