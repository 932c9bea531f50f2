"""Every change of state for people: invite, accept an invitation, deactivate, reactivate.

Services take keyword-only arguments and the acting user, raise ``PermissionDenied`` when the actor
may not act and ``ValidationError`` (with a message for the person) when the request cannot be met;
views and admin actions turn those into messages.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from . import permissions, secret_links
from .models import LANGUAGE_CHOICES, Invitation, Organization, User

# A self-service "send me a new link" gives at most one new link per user in this interval.
INVITATION_RESEND_INTERVAL = timedelta(minutes=10)


class InvitationError(Exception):
    """The link cannot be used; ``state`` says why (an Invitation.State value)."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])


def _record(user: User, actor: User | None, reason: str) -> None:
    """Attach who and why to the history row the next save writes."""
    user._history_user = actor
    user._change_reason = reason


def _revoke_open_invitations(user: User, now) -> int:
    return Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now, updated_at=now)


def _issue_invitation(*, user: User, invited_by: User | None) -> Invitation:
    """Void the user's open links, write a new one and queue the e-mail. Returns it with ``.token`` set.

    The link is never stored: the invitation keeps the token's hash, the outbox a nonce from which
    delivery makes the token again with the ``SECRET_KEY`` (``secret_links.py``).
    """
    now = timezone.now()
    _revoke_open_invitations(user, now)
    nonce = secret_links.new_invitation_nonce()
    token = secret_links.invitation_token(nonce)
    invitation = Invitation.objects.create(
        user=user,
        invited_by=invited_by,
        token_hash=token_hash(token),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.token = token  # only in memory: the database keeps the hash
    notify(
        recipient=user,
        template="accounts/email/invitation",
        context={
            "user": user,
            "organization": user.organization,
            "invited_by": invited_by,
            "accept_url": secret_links.invitation_ref(invitation, nonce),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        key=f"invitation:{invitation.pk}",
        kind="invitation",
    )
    return invitation


@transaction.atomic
def user_invite(
    *,
    actor: User,
    email: str,
    full_name: str,
    organization: Organization,
    language: str,
    is_org_admin: bool = False,
) -> Invitation:
    """Invite a partner user: an account without a usable password and a one-time link by e-mail.

    KITB staff with the "add user" permission may invite into any organisation; a partner
    organisation administrator only into their own. Re-inviting someone who has not joined yet
    sends a fresh link and voids the older ones.
    """
    if organization is None:
        raise ValidationError({"organization": _("Choose the person's organisation.")})
    if not permissions.can_invite_user(actor, organization):
        raise PermissionDenied(_("You may not invite users into this organisation."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    full_name = (full_name or "").strip()
    if not email:
        raise ValidationError({"email": _("Enter the person's e-mail address.")})
    if not full_name:
        raise ValidationError({"full_name": _("Enter the person's full name.")})
    if language not in dict(LANGUAGE_CHOICES):
        raise ValidationError({"language": _("Choose Indonesian, Korean or English.")})

    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        user = User(
            email=email,
            full_name=full_name,
            organization=organization,
            preferred_language=language,
            is_org_admin=is_org_admin,
        )
        user.set_unusable_password()
        # A simultaneous invitation of the same address may commit its user after the lookup above:
        # then the uniqueness check of full_clean, or the database on save, meets it.
        moment_ago = ValidationError({"email": _("This address was invited a moment ago. Reload the list before trying again.")})
        try:
            user.full_clean(exclude=["password"])
        except ValidationError:
            # The field's uniqueness check names "email"; the case-insensitive constraint, checked
            # after it, names no field: the other user may be committed between the two.
            if User.objects.filter(email__iexact=email).exists():
                raise moment_ago from None
            raise
        _record(user, actor, "invited")
        try:
            with transaction.atomic():  # savepoint
                user.save()
        except IntegrityError:
            raise moment_ago from None
    else:
        if user.organization_id != organization.pk or user.is_staff:
            # Said the same way whether or not the address exists elsewhere.
            raise ValidationError({"email": _("This e-mail address cannot be invited into this organisation. Contact KITB.")})
        if not user.is_active:
            raise ValidationError({"email": _("This person's account is deactivated. Reactivate it instead of inviting again.")})
        if user.has_usable_password():
            raise ValidationError({"email": _("This person already has an account and can log in.")})
        user.full_name = full_name
        user.preferred_language = language
        user.is_org_admin = is_org_admin
        user.full_clean(exclude=["password"])
        _record(user, actor, "invited again")
        user.save(update_fields=["full_name", "preferred_language", "is_org_admin"])
    return _issue_invitation(user=user, invited_by=actor)


def invitation_state(token: str) -> tuple[str, Invitation | None]:
    """(state, invitation) for a link's token; ``unknown`` when no invitation has it."""
    invitation = Invitation.objects.select_related("user", "user__organization").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return Invitation.State.UNKNOWN, None
    return invitation.state, invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Use the link once: set the password (already validated by the form), mark the link used.

    Raises InvitationError when the link is unknown, used, replaced, expired or its user is
    deactivated. The row lock makes a double submission use the link once.
    """
    invitation = Invitation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationError(Invitation.State.UNKNOWN)
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    invitation.user = user
    state = invitation.state
    if state != Invitation.State.VALID:
        raise InvitationError(state)
    now = timezone.now()
    invitation.used_at = now
    invitation.save(update_fields=["used_at", "updated_at"])
    user.set_password(password)
    user.date_joined = now
    _record(user, user, "joined through invitation")
    user.save(update_fields=["password", "date_joined"])
    return user


@transaction.atomic
def invitation_resend(*, token: str) -> Invitation | None:
    """"Send me a new link" from an expired or replaced link: a fresh link goes to the address on
    record (never one the visitor types). Returns the new invitation, or None when nothing was sent
    (unknown or unusable link, account joined or deactivated, or a link was sent moments ago).
    The caller answers the visitor the same way in every case.
    """
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return None
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    invitation.user = user
    if invitation.state not in (Invitation.State.EXPIRED, Invitation.State.REPLACED):
        return None
    latest = Invitation.objects.filter(user=user).order_by("-created_at").values_list("created_at", flat=True).first()
    if latest is not None and timezone.now() - latest < INVITATION_RESEND_INTERVAL:
        return None
    return _issue_invitation(user=user, invited_by=invitation.invited_by)


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account: the person can no longer log in (their sessions end at the next
    request) and their open invitation links stop working. Nothing is deleted."""
    if actor.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not permissions.can_deactivate_user(actor, user):
        raise PermissionDenied(_("You may not deactivate this user."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    _record(user, actor, "deactivated")
    user.save(update_fields=["is_active"])
    _revoke_open_invitations(user, timezone.now())
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated person log in again (with their old password, or a new invitation if they
    never joined)."""
    if not permissions.can_deactivate_user(actor, user):
        raise PermissionDenied(_("You may not reactivate this user."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    _record(user, actor, "reactivated")
    user.save(update_fields=["is_active"])
    return user


# --- personal API tokens ------------------------------------------------------------------------
def api_token_create(*, actor: User, user: User | None = None, name: str, scope: str, expires_in_days: int):
    """Make a personal API token for ``user`` (default: the actor). Returns (token row, the token
    itself): the caller shows the token once; only its hash is kept.

    A user makes their own; staff with the add-apitoken permission may make one for someone else
    (the admin)."""
    from . import api_tokens
    from .models import ApiToken, ApiTokenScope

    user = user or actor
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied
    if user.pk != actor.pk and not (actor.is_staff and actor.has_perm("accounts.add_apitoken")):
        raise PermissionDenied(_("You may only make API tokens for yourself."))
    if not user.is_active:
        raise ValidationError({"user": _("This user is deactivated.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name that says what it is for.")})
    if scope not in ApiTokenScope.values:
        raise ValidationError({"scope": _("Choose read or write.")})
    max_days = int(settings.API_TOKEN_MAX_DAYS)
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= max_days:
        raise ValidationError({"expires_in_days": _("A token lives from 1 to %(max)d days.") % {"max": max_days}})
    raw, prefix, digest = api_tokens.generate()
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, secret_hash=digest, scope=scope,
        expires_at=timezone.now() + timedelta(days=expires_in_days), created_by=actor,
    )
    return token, raw


def api_token_revoke(*, actor: User, token_id: int):
    """Revoke a token: its owner, or staff with the change-apitoken permission. Revoking twice is harmless."""
    from .models import ApiToken

    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None:
            raise ValidationError(_("This token does not exist."))
        if token.user_id != actor.pk and not (actor.is_staff and actor.has_perm("accounts.change_apitoken")):
            raise PermissionDenied(_("You may only revoke your own API tokens."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
    return token


# --- contacts -----------------------------------------------------------------------------------
CONTACT_FIELDS = ("full_name", "position", "department", "email", "phone", "languages", "user")


def _contact_apply(contact, data: dict, actor, reason: str) -> None:
    from .models import Contact

    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    for field, value in data.items():
        setattr(contact, field, value)
    contact.full_name = (contact.full_name or "").strip()
    contact.email = (contact.email or "").strip().lower()
    contact.languages = sorted(set(contact.languages or []))
    contact.full_clean(exclude=["organization"])
    if contact.email and Contact.objects.filter(organization_id=contact.organization_id, email__iexact=contact.email).exclude(pk=contact.pk).exists():
        raise ValidationError({"email": _("Another contact of this organisation has this e-mail address.")})
    contact._history_user = actor
    contact._change_reason = reason


def contact_check(*, organization_id: int, contact_id: int | None, data: dict) -> None:
    """Raise the ValidationError that ``contact_create`` (no ``contact_id``) or ``contact_update`` would
    raise for ``data``, saving nothing: forms run it in their validation to show the message on the form."""
    from .models import Contact

    contact = Contact.objects.get(pk=contact_id) if contact_id is not None else Contact(organization_id=organization_id)
    _contact_apply(contact, data, actor=None, reason="")


@transaction.atomic
def contact_create(*, actor: User, organization: Organization, data: dict):
    """Add a person to an organisation's contact directory."""
    from .models import Contact

    if not permissions.can_manage_contacts(actor, organization.pk):
        raise PermissionDenied(_("You may only keep your own organisation's contacts."))
    contact = Contact(organization=organization)
    _contact_apply(contact, data, actor, "created")
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact_id: int, data: dict):
    from .models import Contact

    contact = Contact.objects.select_for_update(of=("self",)).select_related("organization").get(pk=contact_id)
    if not permissions.can_manage_contacts(actor, contact.organization_id):
        raise PermissionDenied(_("You may only keep your own organisation's contacts."))
    _contact_apply(contact, data, actor, "changed")
    contact.save()
    return contact


@transaction.atomic
def contact_set_active(*, actor: User, contact_id: int, active: bool):
    """Deactivate (or reactivate) a contact: kept, with the records that name them, but no longer offered."""
    from .models import Contact

    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if not permissions.can_manage_contacts(actor, contact.organization_id):
        raise PermissionDenied(_("You may only keep your own organisation's contacts."))
    if contact.is_active != active:
        contact.is_active = active
        contact._history_user = actor
        contact._change_reason = "reactivated" if active else "deactivated"
        contact.save(update_fields=["is_active", "updated_at"])
    return contact

