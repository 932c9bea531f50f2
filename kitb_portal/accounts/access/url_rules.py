"""Who may request each URL of the site: :class:`UrlRule` and :data:`URL_RULES` (URL name -> rule), the
standard admin views' permissions (:data:`ADMIN_VIEWS`) and the portal's namespaces.

``tests/access/test_url_matrix.py`` requests every URL as every role and asserts the answer its rule
gives; a URL added without an entry here fails that test.
"""

from __future__ import annotations

from dataclasses import dataclass

from .areas import CHANGE, READ
from .role_names import ADMINISTRATOR, EVENTS, PARTNER, PARTNER_ADMIN, PARTNER_ROLES, PARTNERSHIPS, SUPERUSER


@dataclass(frozen=True)
class UrlRule:
    """Who may request a URL.

    ``area``/``level``: the matrix cell a role needs (``public``: anyone; ``login``: any logged-in
    user; ``staff``: any active staff user). ``perms``: for admin views, the model permissions (all
    of them, derived from the matrix) a staff role needs for GET; ``post_perms`` for POST (default
    the same). ``org_object``: the URL addresses one record of a partner organisation (a partner of
    another organisation gets 404). ``token``: the URL carries a secret; only its holder passes.
    """

    area: str
    level: str = READ
    perms: tuple[str, ...] = ()
    post_perms: tuple[str, ...] | None = None
    org_object: bool = False
    token: str = ""
    note: str = ""
    #: False where an empty request cannot show the "yes" (a form that needs parameters, an answer
    #: that needs a state the walk's object is not in): allowed roles may get any non-error answer;
    #: refused roles must still be refused.
    strict: bool = True
    #: a refused request is sent back to the object's page with a message (nothing changes)
    refusal_redirects: bool = False
    #: of the roles the rest of the rule lets in, only these are (a rule narrower than an area cell: the
    #: partner organisation's administrator, the walk's owner of the addressed object, one staff group);
    #: every other role is refused. The note says who, in words.
    only_roles: tuple[str, ...] = ()

    @property
    def needs_post(self) -> tuple[str, ...]:
        return self.perms if self.post_perms is None else self.post_perms


PUBLIC = "public"
LOGIN = "login"
STAFF = "staff"


def _admin(perms, post=None, area="admin", level=READ, note="", **kw):
    perms = (perms,) if isinstance(perms, str) else tuple(perms)
    post = (post,) if isinstance(post, str) else (tuple(post) if post is not None else None)
    return UrlRule(area, level, perms=perms, post_perms=post, note=note, **kw)


#: URL name -> rule, for every URL that is not a standard admin view of a registered model (those
#: follow the model's permissions: see :func:`admin_model_rule`).
URL_RULES: dict[str, UrlRule] = {
    # --- the admin site itself
    "admin_dashboard": UrlRule(STAFF),
    "admin:index": UrlRule(STAFF),
    "admin:login": UrlRule(PUBLIC),
    "admin:logout": UrlRule(PUBLIC, strict=False),
    "admin:password_change": UrlRule(STAFF),
    "admin:password_change_done": UrlRule(STAFF),
    "admin:autocomplete": UrlRule(STAFF, strict=False, note="answers 403 without a valid source model and field"),
    "admin:jsi18n": UrlRule(STAFF),
    "admin:view_on_site": UrlRule(STAFF, strict=False, note="404 for a model without a public page"),
    "admin:app_list": _admin("partnerships.view_mou", area="mous", note="walked with the partnerships app: 404 without its permissions"),
    "admin:catch_all": UrlRule(STAFF),
    # --- custom admin views
    "admin:accounts_user_invite": _admin("accounts.add_user", area="users", level=CHANGE),
    "admin:auth_user_password_change": _admin("accounts.change_user", area="users", level=CHANGE),
    "admin:notifications_notificationpreference_mine": UrlRule(STAFF, note="own preferences"),
    "admin:jobs_backgroundjob_progress": UrlRule("jobs", READ, note="the starter or a KITB administrator"),
    "admin:jobs_backgroundjob_download": UrlRule("jobs", READ, strict=False, note="404 while the job has no file"),
    "admin:jobs_backgroundjob_confirm": UrlRule("jobs", CHANGE),
    "admin:jobs_backgroundjob_cancel": UrlRule("jobs", CHANGE),
    "admin:jobs_backgroundjob_changelist": UrlRule("jobs", READ),
    "admin:jobs_backgroundjob_add": _admin("jobs.add_backgroundjob", area="jobs", note="nobody adds a job by hand"),
    "admin:jobs_backgroundjob_change": UrlRule("jobs", READ),
    "admin:jobs_backgroundjob_history": UrlRule("jobs", READ),
    "admin:jobs_backgroundjob_delete": _admin("jobs.delete_backgroundjob", area="jobs"),
    "admin:partnerships_mou_transition": _admin("partnerships.change_mou", area="mous", level=CHANGE, refusal_redirects=True),
    "admin:partnerships_mou_upload": _admin("partnerships.change_mou", area="mous", level=CHANGE),
    "admin:partnerships_mou_import": _admin(("partnerships.add_mou", "partnerships.change_mou"), area="jobs", level=CHANGE),
    "admin:partnerships_mou_process_import": _admin(("partnerships.add_mou", "partnerships.change_mou"), area="jobs", level=CHANGE),
    "admin:partnerships_mou_export": _admin("partnerships.view_mou", area="jobs", level=CHANGE),
    "admin:partnerships_commitment_import": _admin(("partnerships.add_commitment", "partnerships.change_commitment"), area="jobs", level=CHANGE),
    "admin:partnerships_commitment_process_import": _admin(("partnerships.add_commitment", "partnerships.change_commitment"), area="jobs", level=CHANGE),
    "admin:partnerships_commitment_export": _admin("partnerships.view_commitment", area="jobs", level=CHANGE),
    "admin:events_event_calendar": _admin("events.view_event", area="events"),
    "admin:events_event_summary": _admin("events.view_event", area="events"),
    "admin:events_event_publish": _admin("events.change_event", area="events", level=CHANGE),
    "admin:events_event_export": _admin("events.view_registration", area="registrations"),
    "admin:events_registration_export": _admin("events.view_registration", area="jobs", level=CHANGE),
    "admin:tenants_application_document": _admin("tenants.view_application", area="applications"),
    "admin:tenants_application_transition": _admin("tenants.change_application", area="applications", level=CHANGE,
                                                   refusal_redirects=True),
    "admin:tenants_application_assign": _admin("tenants.add_reviewassignment", area="assignments", level=CHANGE),
    "admin:tenants_application_comment": _admin("tenants.add_applicationcomment", area="applications", level=CHANGE),
    "admin:tenants_application_export": _admin("tenants.view_application", area="jobs", level=CHANGE),
    "admin:partnerships_mou_review": _admin(("partnerships.view_mou", "reports.view_reviewpackversion"),
                                            post=("partnerships.view_mou", "reports.add_reviewpackversion"), area="review_packs"),
    "admin:partnerships_mou_programme_review": _admin(("partnerships.view_mou", "reports.view_reviewpackversion"),
                                                      post=("partnerships.view_mou", "reports.add_reviewpackversion"), area="review_packs"),
    "admin:reports_reviewpackversion_file": _admin("reports.view_reviewpackversion", area="review_packs",
                                                   note="404 for a file the version does not have"),
    "admin:partnerships_commitment_decide": _admin(
        "partnerships.change_commitment", area="commitments", level=CHANGE, only_roles=(PARTNERSHIPS, SUPERUSER),
        note="the MoU's owner (the walk's MoU belongs to the partnerships officer); superusers stand in"),
    "admin:events_eventproposal_decide": _admin("events.add_event", area="events", level=CHANGE,
                                                note="staff who may add events decide on proposals"),
    "admin:events_delegation_register": _admin("events.add_delegation", area="registrations", level=CHANGE),
    "admin:events_delegation_letter": _admin(
        "events.view_delegation", area="registrations", only_roles=(EVENTS, SUPERUSER),
        note="a visa letter holds passport data: the events officer group (superusers stand in) only"),
    "admin_search": UrlRule(STAFF, note="any active staff; each kind of record also needs its view permission"),
    # committee meetings (the walk's open meeting is chaired by the administrator; a closed one has frozen minutes)
    "admin:tenants_committeemeeting_votes": _admin("tenants.change_committeemeeting", area="committee", level=CHANGE,
                                                   note="the meeting's chair or a KITB administrator (the walk's chair is the administrator)"),
    "admin:tenants_committeemeeting_cancel": _admin("tenants.change_committeemeeting", area="committee", level=CHANGE, refusal_redirects=True,
                                                    note="POST only; the chair or a KITB administrator; anyone else is sent back with a message"),
    "admin:tenants_committeemeeting_close": _admin("tenants.change_committeemeeting", area="committee", level=CHANGE, refusal_redirects=True,
                                                   only_roles=(ADMINISTRATOR,),
                                                   note="POST only; the meeting's chair alone (the walk's chair is the administrator; "
                                                        "superusers too are sent back with a message)"),
    "admin:tenants_committeemeeting_minutes": _admin("tenants.view_committeemeeting", area="committee",
                                                     note="the frozen minutes of a closed meeting (404 before it closes)"),
    # tenant projects: milestones planned or confirmed (with PDF evidence) by whoever may change projects
    "admin:tenants_tenantproject_milestone": _admin("tenants.change_tenantproject", area="projects", level=CHANGE),
    "admin:tenants_tenantproject_evidence": _admin("tenants.view_tenantproject", area="projects",
                                                   note="404 for a milestone without evidence"),
    # expressions of interest: turned into a draft application or closed with a reason
    "admin:tenants_expressionofinterest_convert": _admin("tenants.change_expressionofinterest", area="applications", level=CHANGE,
                                                         note="POST only"),
    "admin:tenants_expressionofinterest_close": _admin("tenants.change_expressionofinterest", area="applications", level=CHANGE),
    "admin:tenants_land_summary": _admin("tenants.view_plot", area="land"),
    "admin:tenants_site_plan": _admin("tenants.view_plot", area="land"),
    "admin:tenants_site_plan_zone": _admin("tenants.view_plot", area="land"),
    "admin:tenants_site_plan_svg": _admin("tenants.view_plot", area="land"),
    "admin:tenants_site_plan_zone_svg": _admin("tenants.view_plot", area="land"),
    # --- accounts (public and own account)
    "accounts:login": UrlRule(PUBLIC),
    "accounts:logout": UrlRule(PUBLIC, strict=False, note="POST only; answers with the login page"),
    "accounts:landing": UrlRule(LOGIN, note="sends each role to its home; anonymous to the login"),
    "accounts:password_change": UrlRule("account", CHANGE),
    "accounts:password_change_done": UrlRule("account", READ),
    "accounts:password_reset": UrlRule(PUBLIC),
    "accounts:password_reset_done": UrlRule(PUBLIC),
    "accounts:password_reset_confirm": UrlRule(PUBLIC, token="password-reset", note="an invalid link says so"),
    "accounts:password_reset_complete": UrlRule(PUBLIC),
    "accounts:login_verify": UrlRule(PUBLIC, strict=False, note="the token step of a login; without a pending login it sends to the login page"),
    "two_factor:profile": UrlRule("account", CHANGE, strict=False),
    "two_factor:setup": UrlRule("account", CHANGE, strict=False),
    "two_factor:qr": UrlRule("account", CHANGE, strict=False, note="404 outside a setup in progress"),
    "two_factor:setup_complete": UrlRule("account", CHANGE, strict=False),
    "two_factor:backup_tokens": UrlRule("account", CHANGE, strict=False),
    "two_factor:disable": UrlRule("account", CHANGE, strict=False, note="refused (403) where the role requires the second factor"),
    "accounts:invitation_accept": UrlRule(PUBLIC, token="invitation", note="an unknown link says so"),
    "accounts:invitation_resend": UrlRule(PUBLIC, token="invitation"),
    # --- the partner portal
    "portal:home": UrlRule(LOGIN),
    "portal:user_list": UrlRule("users", READ, note="partner organisation administrators: own organisation"),
    "portal:user_invite": UrlRule("users", CHANGE),
    "portal:user_deactivate": UrlRule("users", CHANGE, org_object=True),
    "portal:user_reactivate": UrlRule("users", CHANGE, org_object=True),
    "portal:notification_preferences": UrlRule("account", CHANGE),
    "portal:api_tokens": UrlRule("account", CHANGE, note="one's own API tokens (make one: POST)"),
    "portal:api_token_revoke": UrlRule("account", CHANGE, org_object=True, only_roles=(PARTNER,),
                                       note="POST only; the token's owner (the walk's token is the partner user's); "
                                            "anyone else's token is a 404"),
    "portal:contact_list": UrlRule("contacts", CHANGE, note="partner organisation administrators: own organisation; staff use the admin"),
    "portal:contact_add": UrlRule("contacts", CHANGE),
    "portal:contact_edit": UrlRule("contacts", CHANGE, org_object=True),
    "portal:contact_deactivate": UrlRule("contacts", CHANGE, org_object=True, note="POST only"),
    "portal:contact_reactivate": UrlRule("contacts", CHANGE, org_object=True, note="POST only"),
    "portal:unsubscribe": UrlRule(PUBLIC, token="unsubscribe"),
    "portal:unsubscribe_one_click": UrlRule(PUBLIC, token="unsubscribe"),
    "partnerships:mou_list": UrlRule("mous", READ),
    "partnerships:mou_detail": UrlRule("mous", READ, org_object=True),
    "partnerships:note_add": UrlRule("mous", CHANGE, org_object=True),
    "partnerships:document_upload": UrlRule("mous", CHANGE, org_object=True),
    "partnerships:document_download": UrlRule("mous", READ, org_object=True),
    "partnerships:document_decide": UrlRule("mous", CHANGE, org_object=True),
    "partnerships:review_list": UrlRule("review_packs", READ, org_object=True),
    "partnerships:review_version": UrlRule("review_packs", READ, org_object=True),
    "partnerships:review_download": UrlRule("review_packs", READ, org_object=True),
    "partnerships:review_sign_off": UrlRule("review_packs", CHANGE, org_object=True, refusal_redirects=True,
                                            note="POST only; an empty answer, or staff, are sent back to the version with a message"),
    "partnerships:progress_add": UrlRule("commitments", CHANGE, org_object=True,
                                         note="partner users of the commitment's responsible organisation"),
    "partnerships:progress_evidence": UrlRule("commitments", READ, org_object=True, note="whoever may see the MoU"),
    "portal_search": UrlRule(LOGIN, only_roles=tuple(sorted(PARTNER_ROLES)),
                             note="partner users (their own records); staff are sent to admin_search"),
    "events:event_list": UrlRule(LOGIN, note="published events, for anyone logged in"),
    "events:my_registrations": UrlRule(LOGIN, note="one's own registrations"),
    "events:feed_reset": UrlRule("account", CHANGE),
    "events:feed": UrlRule(PUBLIC, token="feed", note="the feed's token is its only credential"),
    "events:checkin": UrlRule("checkin", CHANGE),
    "events:registration_cancel": UrlRule("registrations", CHANGE, org_object=True),
    "events:registration_qr": UrlRule("registrations", READ, org_object=True),
    "events:event_detail": UrlRule(LOGIN, note="a published event, for anyone logged in"),
    "events:event_register": UrlRule("registrations", CHANGE, refusal_redirects=True),
    "events:event_ics": UrlRule(LOGIN),
    "events:feedback": UrlRule("registrations", CHANGE, strict=False, note="404 unless one attended"),
    "events:registration_certificate": UrlRule("registrations", READ, org_object=True,
                                               note="the registration's own user, attended only (404 otherwise)"),
    # partners as co-workers: proposals, authorised proposers, the co-organisers' pages of an event
    "events:proposal_list": UrlRule("events", READ, note="partner users: their organisation's proposals and co-organised events"),
    "events:proposal_create": UrlRule("events", CHANGE, only_roles=(PARTNER_ADMIN,),
                                      note="the organisation's administrator or a colleague they authorised (the walk's "
                                           "partner users are not authorised)"),
    "events:proposers": UrlRule("events", CHANGE, only_roles=(PARTNER_ADMIN,), strict=False,
                                note="the organisation's administrator; strict=False: an empty POST names no colleague (404)"),
    "events:proposal_detail": UrlRule("events", READ, org_object=True, note="users of the proposing organisation"),
    "events:proposal_edit": UrlRule("events", CHANGE, org_object=True, only_roles=(PARTNER_ADMIN,),
                                    note="its organisation's administrator or an authorised proposer, while not decided"),
    "events:manage_event": UrlRule("events", READ, org_object=True, note="users of an organising organisation (Event.organizers)"),
    "events:manage_registrations": UrlRule("events", READ, org_object=True, note="users of an organising organisation"),
    "events:manage_registrations_csv": UrlRule("events", READ, org_object=True, note="users of an organising organisation"),
    "events:manage_feedback": UrlRule("events", READ, org_object=True, note="users of an organising organisation"),
    "events:session_create": UrlRule("events", CHANGE, org_object=True, note="co-organisers, while the event is draft or published"),
    "events:session_edit": UrlRule("events", CHANGE, org_object=True, note="co-organisers, while the event is draft or published"),
    "events:session_delete": UrlRule("events", CHANGE, org_object=True, note="POST only; co-organisers, while draft or published"),
    "events:speaker_edit": UrlRule("events", CHANGE, org_object=True, note="co-organisers, while the event is draft or published"),
    # delegations (the walk's delegation of organisation A was registered by its administrator)
    "events:delegation_list": UrlRule("registrations", READ, note="partner users: their organisation's delegations"),
    "events:delegation_detail": UrlRule("registrations", READ, org_object=True,
                                        note="users of the organisation; passport columns only for its administrators"),
    "events:delegation_create": UrlRule("registrations", CHANGE, only_roles=(PARTNER_ADMIN,), note="the organisation's administrator"),
    "events:delegation_edit": UrlRule("registrations", CHANGE, org_object=True, only_roles=(PARTNER_ADMIN,),
                                      note="the delegation's administrator or the organisation's administrators, until the deadline"),
    "events:delegation_visa_list": UrlRule("registrations", READ, org_object=True, only_roles=(PARTNER_ADMIN,),
                                           note="passport data: the delegation's administrator or the organisation's administrators"),
    "events:delegation_letter": UrlRule("registrations", READ, org_object=True, only_roles=(PARTNER_ADMIN,),
                                        note="passport data: the delegation's administrator or the organisation's administrators"),
    "tenants:application_list": UrlRule("applications", READ),
    "tenants:application_create": UrlRule("applications", CHANGE),
    "tenants:application_detail": UrlRule("applications", READ, org_object=True),
    "tenants:application_step": UrlRule("applications", CHANGE, org_object=True),
    "tenants:application_submit": UrlRule("applications", CHANGE, org_object=True),
    "tenants:application_withdraw": UrlRule("applications", CHANGE, org_object=True),
    "tenants:comment_add": UrlRule("applications", CHANGE, org_object=True),
    "tenants:document_upload": UrlRule("applications", CHANGE, org_object=True),
    "tenants:document_download": UrlRule("applications", READ, org_object=True),
    # the journey around the screening (partner users; staff use the admin)
    "tenants:project_list": UrlRule("projects", READ, note="partner users: the projects of their organisation's applications"),
    "tenants:project_detail": UrlRule("projects", READ, org_object=True, note="users of the referring organisation"),
    "tenants:land": UrlRule("land", READ, note="any partner user: zones and plots without tenant names"),
    "tenants:interest_list": UrlRule("applications", READ, note="partner users: their organisation's expressions of interest"),
    "tenants:interest_create": UrlRule("applications", CHANGE),
    "tenants:interest_detail": UrlRule("applications", READ, org_object=True, note="users of the referring organisation"),
    # --- the REST API (/api/v1/): lists answer every signed-in user with what their selector lets them
    # see (nothing: an empty list); a detail outside that scope is a 404; anonymous callers get 401/403.
    # Details are walked with organisation A's objects.
    "api:mou-list": UrlRule("mous", READ),
    "api:mou-detail": UrlRule("mous", READ, org_object=True),
    "api:commitment-list": UrlRule("commitments", READ),
    "api:commitment-detail": UrlRule("commitments", READ, org_object=True),
    "api:commitment-set-status": UrlRule("commitments", CHANGE, org_object=True, only_roles=(ADMINISTRATOR, PARTNERSHIPS, SUPERUSER),
                                         note="POST only; staff who may change commitments (partners report progress instead)"),
    "api:event-list": UrlRule("events", READ, note="staff with the events' view permission: all; partners: the published ones"),
    "api:event-detail": UrlRule("events", READ, note="a published event, for every partner user"),
    "api:session-list": UrlRule("events", READ, note="the sessions of the events the caller may see"),
    "api:session-detail": UrlRule("events", READ, note="a session of a published event, for every partner user"),
    "api:registration-list": UrlRule("registrations", READ, note="partners: their own; registering (POST) is tested in tests/api"),
    "api:registration-detail": UrlRule("registrations", READ, org_object=True, note="the registration's own user, or staff"),
    "api:registration-cancel": UrlRule("registrations", CHANGE, org_object=True, only_roles=(PARTNER,),
                                       note="POST only; the registration's own user"),
    "api:application-list": UrlRule("applications", READ, note="partners: their organisation's; creating (POST) is tested in tests/api"),
    "api:application-detail": UrlRule("applications", READ, org_object=True),
    "api:zone-list": UrlRule("land", READ),
    "api:zone-detail": UrlRule("land", READ, org_object=True, note="partners: the zones of plots held for their organisation"),
    "api:plot-list": UrlRule("land", READ),
    "api:plot-detail": UrlRule("land", READ, org_object=True, note="partners: plots held for their organisation's applications"),
    "api:organisation-list": UrlRule("users", READ, note="partners: their own organisation"),
    "api:organisation-detail": UrlRule("users", READ, org_object=True, note="partner users: their own organisation's record"),
    "api:contact-list": UrlRule("contacts", READ),
    "api:contact-detail": UrlRule("contacts", READ, org_object=True),
    "api_schema": UrlRule(LOGIN),
    "api_docs": UrlRule(LOGIN),
    "api_redoc": UrlRule(LOGIN),
    # --- public pages
    "events_public:event_list": UrlRule(PUBLIC),
    "events_public:event_detail": UrlRule(PUBLIC),
    "events_public:registration_sent": UrlRule(PUBLIC),
    "events_public:event_ics": UrlRule(PUBLIC),
    "events_public:registration_manage": UrlRule("registrations", READ, token="guest"),
    "events_public:registration_confirm": UrlRule("registrations", CHANGE, token="guest"),
    "events_public:registration_cancel": UrlRule("registrations", CHANGE, token="guest"),
    "events_public:registration_qr": UrlRule("registrations", READ, token="guest"),
    "events_public:registration_ics": UrlRule("registrations", READ, token="guest"),
    "events_public:feedback": UrlRule("registrations", CHANGE, token="guest", strict=False, note="404 unless the guest attended"),
    "events_public:registration_certificate": UrlRule("registrations", READ, token="attended-guest",
                                                      note="the holder of an attended registration's link (404 otherwise)"),
    "events_public:verify": UrlRule(PUBLIC, note="a letter's or certificate's code: name, event, dates; a forged code is 404"),
    "events_public:event_archive": UrlRule(PUBLIC),
    "events_public:feed_rss": UrlRule(PUBLIC),
    "events_public:feed_atom": UrlRule(PUBLIC),
    "events_public:calendar_ics": UrlRule(PUBLIC),
    "events_public:presentation_file": UrlRule(PUBLIC, note="a published file of a public event; anything else 404"),
    "set_language": UrlRule(PUBLIC),
    "healthz": UrlRule(PUBLIC),
    "home": UrlRule(LOGIN, note="sends each role to its home; anonymous to the login"),
}

#: the namespaces of the partner portal (staff use the admin: an area grant of a staff role does not
#: promise a portal page, a missing one forbids it)
PORTAL_NAMESPACES = frozenset({"portal", "partnerships", "events", "tenants"})

#: the standard admin views of a registered model: URL name suffix -> (GET verbs, POST verbs); a
#: role needs one of the GET verbs' permissions to GET and one of the POST verbs' to POST.
ADMIN_VIEWS = {
    "changelist": (("view", "change"), ("change",)),
    "add": (("add",), ("add",)),
    "change": (("view", "change"), ("change",)),
    "delete": (("delete",), ("delete",)),
    "history": (("view", "change"), ("view", "change")),
    "simple_history": (("view", "change"), ("change",)),
    "redirect": (("view", "change"), ("view", "change")),
}

