"""CSV/XLSX import and export of MoUs and commitments (django-import-export).

Every problem in a row is a validation error on the field (column) that causes it, so the admin's
import preview lists "row N · field: message" and imports nothing until the file is clean.

MoU import: rows are matched by ``reference``; a new MoU is created as a draft (status changes only
through the workflow). ``scope`` is a list of scope codes separated by ``;`` or ``,``; ``parties`` is
``Organisation name|role; Organisation name|role`` (role: first_party, second_party or witness;
default second_party); ``owner`` is a staff member's e-mail address.
Commitment import: rows are matched by ``id`` (empty = new); ``mou`` is the MoU reference,
``responsible_organization`` an organisation name that is a party to that MoU.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from kitb_portal.accounts.models import Organization

from .models import Commitment, CommitmentStatus, MoU, MoUParty, PartyRole, ScopeArea

User = get_user_model()


class LookupWidget(widgets.ForeignKeyWidget):
    """A ForeignKeyWidget whose "not found" is a field error naming the value, not a crash."""

    def __init__(self, model, field, *, label: str, queryset=None):
        super().__init__(model, field)
        self.label = label
        self._queryset = queryset

    def get_queryset(self, value, row, *args, **kwargs):
        return self._queryset() if self._queryset else self.model.objects.all()

    def clean(self, value, row=None, **kwargs):
        value = (str(value).strip() if value is not None else "")
        if not value:
            return None
        try:
            return self.get_queryset(value, row).get(**{f"{self.field}__iexact": value})
        except self.model.DoesNotExist:
            raise ValueError(_("No %(what)s “%(value)s”.") % {"what": self.label, "value": value}) from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(_("More than one %(what)s “%(value)s”.") % {"what": self.label, "value": value}) from None


class ScopeWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return []
        codes = [c.strip() for c in str(value).replace(",", ";").split(";") if c.strip()]
        valid = set(ScopeArea.values)
        unknown = [c for c in codes if c not in valid]
        if unknown:
            raise ValueError(_("Unknown scope %(unknown)s; use: %(valid)s.") % {"unknown": ", ".join(unknown), "valid": ", ".join(ScopeArea.values)})
        return list(dict.fromkeys(codes))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class ChoiceWidget(widgets.CharWidget):
    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        value = (str(value).strip() if value is not None else "")
        if not value:
            return None
        for code, label in self.choices.choices:
            if value.lower() in (code, str(label).lower()):
                return code
        raise ValueError(_("“%(value)s” is not one of: %(valid)s.") % {"value": value, "valid": ", ".join(self.choices.values)})


def parse_parties(value) -> list[tuple[Organization, str]]:
    """``Name|role; Name|role`` → [(organisation, role)]; ValueError naming what is wrong."""
    if value is None or str(value).strip() == "":
        return []
    result, problems = [], []
    names = {}
    for item in [p.strip() for p in str(value).split(";") if p.strip()]:
        name, _sep, role = item.partition("|")
        name, role = name.strip(), (role.strip() or PartyRole.SECOND_PARTY)
        if role not in PartyRole.values:
            problems.append(_("role “%(role)s” of %(name)s (use %(valid)s)") % {"role": role, "name": name, "valid": ", ".join(PartyRole.values)})
            continue
        names[name.lower()] = (name, role)
    orgs = {o.name.lower(): o for o in Organization.objects.filter(name__in=[n for n, _r in names.values()])}
    # case-insensitive fallback for names that did not match exactly
    missing = [key for key in names if key not in orgs]
    if missing:
        for org in Organization.objects.all().only("pk", "name"):
            if org.name.lower() in missing:
                orgs[org.name.lower()] = org
    for key, (name, role) in names.items():
        if key not in orgs:
            problems.append(_("no organisation “%(name)s”") % {"name": name})
        else:
            result.append((orgs[key], role))
    if problems:
        raise ValueError("; ".join(problems) + ".")
    return result


class MoUResource(resources.ModelResource):
    reference = fields.Field(attribute="reference", column_name="reference", widget=widgets.CharWidget())
    scope = fields.Field(attribute="scope", column_name="scope", widget=ScopeWidget())
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    owner = fields.Field(
        attribute="owner", column_name="owner",
        widget=LookupWidget(User, "email", label=gettext_lazy("staff member with e-mail"), queryset=lambda: User.objects.filter(is_staff=True)),
    )
    parties = fields.Field(column_name="parties", readonly=True)

    class Meta:
        model = MoU
        import_id_fields = ["reference"]
        fields = [
            "reference", "title_id", "title_ko", "title_en", "summary", "scope", "status", "signed_date",
            "effective_date", "expiry_date", "auto_renew", "renewal_notice_days", "owner", "parties",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def get_queryset(self):
        return MoU.objects.select_related("owner").prefetch_related("parties__organization")

    def dehydrate_owner(self, mou):
        return mou.owner.email if mou.owner_id else ""

    def dehydrate_parties(self, mou):
        return "; ".join(f"{p.organization.name}|{p.role}" for p in mou.parties.all())

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "parties" in row:
            try:
                instance._import_parties = parse_parties(row.get("parties"))
            except ValueError as exc:
                errors["parties"] = [ValidationError(str(exc))]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        for organization, role in getattr(instance, "_import_parties", []):
            party, created = MoUParty.objects.get_or_create(mou=instance, organization=organization, defaults={"role": role})
            if not created and party.role != role:
                party.role = role
                party.save(update_fields=["role", "updated_at"])


class CommitmentResource(resources.ModelResource):
    mou = fields.Field(attribute="mou", column_name="mou", widget=LookupWidget(MoU, "reference", label=gettext_lazy("MoU with reference")))
    responsible_organization = fields.Field(
        attribute="responsible_organization", column_name="responsible_organization",
        widget=LookupWidget(Organization, "name", label=gettext_lazy("organisation")),
    )
    responsible_user = fields.Field(
        attribute="responsible_user", column_name="responsible_user",
        widget=LookupWidget(User, "email", label=gettext_lazy("user with e-mail")),
    )
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(CommitmentStatus))

    class Meta:
        model = Commitment
        import_id_fields = ["id"]
        fields = [
            "id", "mou", "description", "responsible_organization", "responsible_person", "responsible_user",
            "due_date", "status", "fulfilment_note", "closed_on",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def get_queryset(self):
        return Commitment.objects.select_related("mou", "responsible_organization", "responsible_user")

    def dehydrate_mou(self, commitment):
        return commitment.mou.reference

    def dehydrate_responsible_organization(self, commitment):
        return commitment.responsible_organization.name

    def dehydrate_responsible_user(self, commitment):
        return commitment.responsible_user.email if commitment.responsible_user_id else ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not instance.status:
            instance.status = CommitmentStatus.OPEN
        if "mou" not in errors and "responsible_organization" not in errors and instance.mou_id and instance.responsible_organization_id:
            if not MoUParty.objects.filter(mou_id=instance.mou_id, organization_id=instance.responsible_organization_id).exists():
                errors["responsible_organization"] = [ValidationError(
                    _("%(org)s is not a party to MoU %(ref)s.") % {
                        "org": instance.responsible_organization.name, "ref": instance.mou.reference}
                )]
        if errors:
            raise ValidationError(errors)
