"""Helpers shared by the partnerships service modules: saving with history attribution, locking an
MoU, the staff permission check, and who hears about an MoU (its audience and links)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kitb_portal.notifications.services import notify

from .. import selectors
from ..models import MoU, MoUParty


def save_with_history(obj, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Save with history attribution (who and why)."""
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is not None and "updated_at" not in update_fields and hasattr(obj, "updated_at"):
        update_fields = [*update_fields, "updated_at"]
    obj.save(update_fields=update_fields)


def lock_mou(mou_id: int) -> MoU:
    try:
        return MoU.objects.select_for_update().get(pk=mou_id)
    except MoU.DoesNotExist:
        raise ValidationError(_("This MoU does not exist.")) from None


def require_staff(actor, perm: str) -> None:
    if actor is not None and not (actor.is_active and actor.is_staff and actor.has_perm(perm)):
        raise PermissionDenied(_("You may not do this."))


def full_clean(obj, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude, validate_unique=True)


def mou_link_for(user, mou: MoU) -> str:
    """Where a recipient should go for this MoU: the admin for staff, the portal for partners."""
    from django.conf import settings
    from django.urls import reverse

    if user.is_staff:
        return settings.SITE_URL + reverse("admin:partnerships_mou_change", args=[mou.pk])
    return settings.SITE_URL + reverse("partnerships:mou_detail", args=[mou.pk])


def mou_audience(mou: MoU, *, exclude_user=None) -> list:
    """The owner (if active) and every party organisation's partner contacts, without duplicates."""
    org_ids = list(MoUParty.objects.filter(mou=mou).values_list("organization_id", flat=True))
    people = list(selectors.partner_contacts_queryset().filter(organization_id__in=org_ids))
    if mou.owner_id and mou.owner.is_active:
        people.insert(0, mou.owner)
    seen, result = set(), []
    for person in people:
        if person.pk in seen or (exclude_user is not None and person.pk == exclude_user.pk):
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def notify_status(mou: MoU, *, actor) -> None:
    for person in mou_audience(mou, exclude_user=actor):
        notify(
            recipient=person, template="partnerships/email/mou_status_changed",
            context={"mou": mou, "link": mou_link_for(person, mou), "actor": actor},
            key=f"mou-status:{mou.pk}:{mou.term_number}:{mou.status}:{person.pk}", kind="mou_status",
        )
