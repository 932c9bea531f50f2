"""Invitations: the service, the one-time link, and every way a link can be refused."""
import hashlib
import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from kitb_portal.accounts import services
from kitb_portal.accounts.models import Invitation, User
from kitb_portal.notifications.models import OutboxMessage
from tests.factories import OrganizationFactory, UserFactory

from .helpers import NEW_PASSWORD, html_part, last_mail_to, link_in

pytestmark = pytest.mark.django_db


def set_password(client, path, password=NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def without_csrf(response) -> str:
    """The page's main content, without the per-render CSRF token."""
    main = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


# --- the service -------------------------------------------------------------------------------
def test_invite_creates_a_user_without_password_and_mails_a_link(invite, technopark, admin_user, settings):
    before = timezone.now()
    invitation = invite(email="  Choi.YuNa@Technopark.example ", language="ko")

    user = User.objects.get(email="choi.yuna@technopark.example")
    assert user.organization == technopark
    assert user.preferred_language == "ko"
    assert user.is_active and not user.is_staff and not user.has_usable_password()
    assert invitation.user == user and invitation.invited_by == admin_user
    # Only the token's SHA-256 is stored; the link carries the token.
    assert invitation.token_hash == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    valid = timedelta(days=settings.INVITATION_VALID_DAYS)
    assert before + valid <= invitation.expires_at <= timezone.now() + valid

    row = OutboxMessage.objects.get(key=f"invitation:{invitation.pk}")
    assert row.language == "ko" and row.kind == "invitation" and row.recipient == user
    message = last_mail_to(user.email)
    assert link_in(message) == reverse("accounts:invitation_accept", args=[invitation.token])
    assert "Chungbuk Technopark" in message.subject
    assert '<html lang="ko">' in html_part(message)
    assert invitation.token in html_part(message)


def test_invitation_email_is_rendered_in_the_invitees_language(invite):
    invitation = invite(email="dewi@technopark.example", language="id")
    assert OutboxMessage.objects.get(key=f"invitation:{invitation.pk}").language == "id"
    assert '<html lang="id">' in html_part(last_mail_to("dewi@technopark.example"))


def test_reinviting_someone_who_has_not_joined_voids_the_older_link(invite, client):
    first = invite()
    second = invite(full_name="Choi Yu-na (renamed)", language="en")

    assert User.objects.filter(email="new.partner@technopark.example").count() == 1
    assert User.objects.get(email="new.partner@technopark.example").full_name == "Choi Yu-na (renamed)"
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert first.state == Invitation.State.REPLACED
    assert len([m for m in mail.outbox if "new.partner@technopark.example" in m.to]) == 2

    response = client.get(reverse("accounts:invitation_accept", args=[first.token]))
    assert response.status_code == 410
    assert "replaced by a newer one" in response.content.decode()
    assert client.get(reverse("accounts:invitation_accept", args=[second.token])).status_code == 200


def test_the_database_allows_one_open_invitation_per_user(invite):
    invitation = invite()
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(user=invitation.user, token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=1))


def test_inviting_someone_who_already_joined_is_refused(invite, partner_a, technopark):
    with pytest.raises(ValidationError) as exc:
        invite(email=partner_a.email, organization=technopark)
    assert "already has an account" in str(exc.value)
    assert not Invitation.objects.filter(user=partner_a).exists()


def test_an_address_of_another_organisation_cannot_be_invited(invite, partner_b, technopark):
    with pytest.raises(ValidationError) as exc:
        invite(email=partner_b.email, organization=technopark)
    assert "cannot be invited into this organisation" in str(exc.value)
    partner_b.refresh_from_db()
    assert partner_b.organization.name != technopark.name


def test_a_deactivated_person_is_not_silently_reinvited(invite, admin_user):
    invitation = invite()
    services.user_deactivate(actor=admin_user, user=invitation.user)
    with pytest.raises(ValidationError, match="deactivated"):
        invite()


def test_invite_validates_its_input(invite):
    with pytest.raises(ValidationError) as exc:
        invite(language="fr")
    assert "language" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        invite(full_name="  ")
    assert "full_name" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        invite(email="not-an-address")
    assert "email" in exc.value.error_dict
    assert not User.objects.filter(full_name="Choi Yu-na").exists()


def test_partner_org_admin_cannot_invite_into_another_organisation(invite, org_admin_a, province):
    with pytest.raises(PermissionDenied):
        invite(actor=org_admin_a, organization=province)
    assert not User.objects.filter(email="new.partner@technopark.example").exists()


def test_partner_org_admin_invites_into_their_own_organisation(invite, org_admin_a, technopark):
    invitation = invite(actor=org_admin_a, organization=technopark)
    assert invitation.user.organization == technopark and invitation.invited_by == org_admin_a


def test_ordinary_partner_and_staff_without_permission_cannot_invite(invite, partner_a, staff_user, technopark):
    with pytest.raises(PermissionDenied):
        invite(actor=partner_a, organization=technopark)
    with pytest.raises(PermissionDenied):
        invite(actor=staff_user, organization=technopark)  # staff, but no accounts.add_user
    assert not User.objects.filter(email="new.partner@technopark.example").exists()


def test_history_records_who_invited_and_who_deactivated(invite, admin_user, client):
    invitation = invite()
    set_password(client, reverse("accounts:invitation_accept", args=[invitation.token]))
    services.user_deactivate(actor=admin_user, user=invitation.user)
    history = list(invitation.user.history.order_by("history_date").values_list("history_change_reason", "history_user_id", "is_active"))
    assert history == [
        ("invited", admin_user.pk, True),
        ("joined through invitation", invitation.user.pk, True),
        ("deactivated", admin_user.pk, False),
    ]


# --- the link --------------------------------------------------------------------------------
def test_link_sets_the_password_once_and_logs_in(invite, client):
    invitation = invite()
    path = link_in(last_mail_to("new.partner@technopark.example"))

    page = client.get(path)
    assert page.status_code == 200
    assert "new_password1" in page.content.decode()
    assert "Chungbuk Technopark" in page.content.decode()

    response = set_password(client, path)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:landing")
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200 and home.wsgi_request.user == invitation.user

    invitation.refresh_from_db()
    assert invitation.used_at is not None
    user = User.objects.get(pk=invitation.user_id)
    assert user.check_password(NEW_PASSWORD)

    # Second use: refused with a clear page that points to log in and reset.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    body = again.content.decode()
    assert "already used" in body
    assert reverse("accounts:login") in body and reverse("accounts:password_reset") in body
    refused = set_password(client, path, "Another-Password-2026")
    assert refused.status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_accepting_makes_the_invitees_language_active(invite, client):
    invitation = invite(language="ko")
    response = set_password(client, reverse("accounts:invitation_accept", args=[invitation.token]))
    assert response.cookies["django_language"].value == "ko"
    home = client.get(reverse("portal:home"))
    assert home["Content-Language"] == "ko"


def test_a_weak_password_gives_a_form_error_and_keeps_the_link(invite, client):
    invitation = invite()
    path = reverse("accounts:invitation_accept", args=[invitation.token])
    response = set_password(client, path, "12345")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not invitation.user.has_usable_password()


def test_an_expired_link_is_refused_and_offers_a_new_one(invite, client, django_capture_on_commit_callbacks):
    old = invite()
    expire(old)
    path = reverse("accounts:invitation_accept", args=[old.token])

    page = client.get(path)
    assert page.status_code == 410
    body = page.content.decode()
    assert "has expired" in body
    resend_url = reverse("accounts:invitation_resend", args=[old.token])
    assert f'action="{resend_url}"' in body
    assert set_password(client, path).status_code == 410  # posting the form does not help either

    # At most one new link per ten minutes: the invitation was just sent, so nothing yet.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend_url)
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    assert Invitation.objects.filter(user=old.user).count() == 1 and mail.outbox == []

    Invitation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(resend_url)
    assert again.status_code == 200
    assert without_csrf(again) == without_csrf(response)  # sent or not, the visitor hears the same
    new = Invitation.objects.filter(user=old.user).order_by("-created_at").first()
    assert new.pk != old.pk and new.state == Invitation.State.VALID and new.invited_by == old.invited_by
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert [m.to for m in mail.outbox] == [[old.user.email]]  # only to the address on record
    assert set_password(client, link_in(mail.outbox[0])).status_code == 302


def test_new_link_requests_reveal_nothing_and_send_nothing_for_unknown_or_used_links(invite, client, django_capture_on_commit_callbacks):
    used = invite()
    set_password(client, reverse("accounts:invitation_accept", args=[used.token]))
    client.logout()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:invitation_resend", args=["no-such-token"]))
        for_used = client.post(reverse("accounts:invitation_resend", args=[used.token]))
    assert unknown.status_code == for_used.status_code == 200
    assert "Check your e-mail" in unknown.content.decode()
    assert without_csrf(unknown) == without_csrf(for_used)
    assert mail.outbox == []
    assert Invitation.objects.filter(user=used.user).count() == 1


def test_new_link_requests_are_rate_limited_per_address(client):
    url = reverse("accounts:invitation_resend", args=["whatever"])
    responses = [client.post(url) for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert "Too many requests" in responses[-1].content.decode()
    assert client.post(url, REMOTE_ADDR="10.1.2.3").status_code == 200  # another address is not limited
    assert client.get(url).status_code == 405  # only POST


def test_an_unknown_link_is_refused_clearly(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 410
    body = response.content.decode()
    assert "not valid" in body and "Send me a new link" not in body


def test_a_link_of_a_deactivated_user_is_refused(invite, admin_user, client):
    invitation = invite()
    services.user_deactivate(actor=admin_user, user=invitation.user)
    path = reverse("accounts:invitation_accept", args=[invitation.token])
    response = client.get(path)
    assert response.status_code == 410
    assert "deactivated" in response.content.decode()
    assert "Send me a new link" not in response.content.decode()
    assert set_password(client, path).status_code == 410
    invitation.refresh_from_db()
    assert invitation.used_at is None and invitation.revoked_at is not None
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_a_link_is_refused_as_soon_as_the_user_is_inactive(invite, client):
    """Even when the account was switched off without the service (e.g. directly in the database)."""
    invitation = invite()
    User.objects.filter(pk=invitation.user_id).update(is_active=False)
    response = client.get(reverse("accounts:invitation_accept", args=[invitation.token]))
    assert response.status_code == 410 and "deactivated" in response.content.decode()


def test_accept_service_refuses_with_the_reason(invite):
    invitation = invite()
    expire(invitation)
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token=invitation.token, password=NEW_PASSWORD)
    assert exc.value.state == Invitation.State.EXPIRED
    with pytest.raises(services.InvitationError) as exc:
        services.invitation_accept(token="unknown", password=NEW_PASSWORD)
    assert exc.value.state == Invitation.State.UNKNOWN


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_use_the_link_once(technopark_tx, admin_tx):
    invitation = services.user_invite(
        actor=admin_tx, email="race@technopark.example", full_name="Race Condition", organization=technopark_tx, language="en"
    )
    barrier = threading.Barrier(2)
    results = []

    def accept(password):
        try:
            barrier.wait()
            services.invitation_accept(token=invitation.token, password=password)
            results.append(("ok", password))
        except services.InvitationError as exc:
            results.append(("refused", exc.state))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in ("First-Password-2026", "Second-Password-2026")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r[0] for r in results) == ["ok", "refused"]
    winner = next(r[1] for r in results if r[0] == "ok")
    assert next(r[1] for r in results if r[0] == "refused") == Invitation.State.USED
    assert User.objects.get(email="race@technopark.example").check_password(winner)


@pytest.fixture
def technopark_tx(transactional_db):
    return OrganizationFactory(name="Chungbuk Technopark", kind="technopark", country="KR")


@pytest.fixture
def admin_tx(transactional_db):
    return UserFactory(staff=True, is_superuser=True, organization=OrganizationFactory(host=True), email="admin-tx@kitb.example")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_invitations_of_one_address_make_one_user(technopark_tx, admin_tx):
    barrier = threading.Barrier(2)
    results = []

    def invite_once(name):
        try:
            barrier.wait()
            services.user_invite(actor=admin_tx, email="twice@technopark.example", full_name=name, organization=technopark_tx, language="en")
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.message_dict["email"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=invite_once, args=(n,)) for n in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2, results  # each thread answered (none died on an unexpected error)
    assert User.objects.filter(email="twice@technopark.example").count() == 1
    assert Invitation.objects.filter(user__email="twice@technopark.example", revoked_at__isnull=True).count() == 1
    # Either the second waited for the first and re-invited, or it met the unique e-mail and was told so.
    assert results.count("ok") >= 1 and all(r == "ok" or "invited a moment ago" in r for r in results)


def test_an_invitation_that_meets_one_committed_after_its_lookup_says_so(monkeypatch, technopark, admin_user):
    """The interleaving the race above can take: the other invitation's user is committed after this
    one looked the address up and before it checks its new user. The answer is the same message as
    when the database refuses the second user, not the form's generic "already exists"."""
    check = User.full_clean

    def the_other_commits_first(self, *args, **kwargs):
        if self.pk is None and not User.objects.filter(email__iexact=self.email).exists():
            UserFactory(email=self.email, organization=technopark)
        return check(self, *args, **kwargs)

    monkeypatch.setattr(User, "full_clean", the_other_commits_first)
    with pytest.raises(ValidationError) as refused:
        services.user_invite(actor=admin_user, email="late@technopark.example", full_name="Late", organization=technopark, language="en")
    assert refused.value.message_dict == {"email": ["This address was invited a moment ago. Reload the list before trying again."]}


def test_an_invitation_whose_other_user_commits_between_the_two_uniqueness_checks_says_so(monkeypatch, technopark, admin_user):
    """The race's other interleaving: the field's uniqueness check passes, then the other user is
    committed, and the case-insensitive constraint (which names no field) refuses this one. The
    answer is the same "a moment ago" message, not "Constraint ... is violated"."""
    check = User.validate_constraints

    def the_other_commits_now(self, *args, **kwargs):
        if self.pk is None and not User.objects.filter(email__iexact=self.email).exists():
            UserFactory(email=self.email.upper(), organization=technopark)
        return check(self, *args, **kwargs)

    monkeypatch.setattr(User, "validate_constraints", the_other_commits_now)
    with pytest.raises(ValidationError) as refused:
        services.user_invite(actor=admin_user, email="between@technopark.example", full_name="Between", organization=technopark, language="en")
    assert refused.value.message_dict == {"email": ["This address was invited a moment ago. Reload the list before trying again."]}
