"""List filters of the MoU changelist: expiring soon, by party, by scope area."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitb_portal.accounts.models import Organization
from kitb_portal.common.admin_tools import TextListFilter

from ..models import MoUParty, MoUStatus, ScopeArea


class ExpiringFilter(admin.SimpleListFilter):
    title = _("expiring")
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return [("30", _("within 30 days")), ("90", _("within 90 days")), ("past", _("past expiry date, still active"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() in ("30", "90"):
            return queryset.filter(
                status__in=[MoUStatus.SIGNED, MoUStatus.ACTIVE], expiry_date__gte=today,
                expiry_date__lte=today + dt.timedelta(days=int(self.value())),
            )
        if self.value() == "past":
            return queryset.filter(status=MoUStatus.ACTIVE, expiry_date__lt=today)
        return queryset


class PartyFilter(TextListFilter):
    """A party by organisation id or name (typed: a list of every organisation grows with the partners)."""

    title = _("party")
    parameter_name = "party"

    def queryset(self, request, queryset):
        text = (self.value() or "").strip()[: self.max_length]
        if text.isdigit():
            return queryset.filter(Exists(MoUParty.objects.filter(mou=OuterRef("pk"), organization_id=int(text))))
        if text:
            orgs = Organization.objects.filter(Q(name__icontains=text) | Q(local_name__icontains=text)).values("pk")
            return queryset.filter(Exists(MoUParty.objects.filter(mou=OuterRef("pk"), organization__in=orgs)))
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    title = _("scope")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return ScopeArea.choices

    def queryset(self, request, queryset):
        if self.value() in ScopeArea.values:
            return queryset.filter(scope__contains=[self.value()])
        return queryset
