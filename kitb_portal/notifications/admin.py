"""The outbox in the admin (every e-mail the portal sent or tried to send, read-only, retryable),
notification preferences (everyone's, and each staff user's own page) and digest runs."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import (
    LANGUAGE_CHOICES,
    BoundedCountPaginator,
    FixedChoicesFilter,
    IndexedSearchMixin,
)

from . import kinds, services
from .models import DeliveryAttempt, DigestRun, NotificationPreference, OutboxMessage


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "succeeded", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutboxKindFilter(FixedChoicesFilter):
    """The kinds of the registry (the default filter would SELECT DISTINCT the kind of every message)."""

    title = _("kind")
    parameter_name = "kind"
    field = "kind"
    other = True

    def lookups(self, request, model_admin):
        self.choices_list = [(kind.code, kind.label) for kind in kinds.KINDS]
        return super().lookups(request, model_admin)


class OutboxLanguageFilter(FixedChoicesFilter):
    title = _("language")
    parameter_name = "language"
    field = "language"
    choices_list = LANGUAGE_CHOICES


@admin.register(OutboxMessage)
class OutboxMessageAdmin(IndexedSearchMixin, admin.ModelAdmin):
    list_display = ("key", "to_email", "kind", "language", "status", "attempts", "created_at", "sent_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("status", OutboxKindFilter, OutboxLanguageFilter)
    search_fields = ("key", "to_email", "subject")
    paginator = BoundedCountPaginator
    search_help_text = _("Search by idempotency key, e-mail address or subject.")
    ordering = ("-created_at",)
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    show_full_result_count = False  # one COUNT less on a table that grows every day
    inlines = [DeliveryAttemptInline]
    actions = ["retry_failed"]
    fieldsets = (
        (None, {"fields": ("key", "kind", "status", "recipient", "to_email", "language", "template")}),
        (_("Delivery"), {"fields": ("attempts", "attempts_before_manual_retry", "last_error", "next_attempt_at",
                                    "claimed_at", "sent_at", "created_at", "updated_at")}),
        (_("Message"), {"fields": ("subject", "body_text_shown", "body_html_shown", "headers_shown", "attachment_names")}),
    )
    readonly_fields = (
        "key", "kind", "status", "recipient", "to_email", "language", "template", "attempts",
        "attempts_before_manual_retry", "last_error", "next_attempt_at", "claimed_at", "sent_at",
        "created_at", "updated_at", "subject", "body_text_shown", "body_html_shown", "headers_shown", "attachment_names",
    )
    # Never filtered or searched by the URL either (?body_text__contains=... would be an oracle).
    HIDDEN_FIELDS = ("body_text", "body_html", "headers", "secret_refs", "attachments")

    # --- the bodies: one-time links are never shown, to anyone -------------------------------
    # New rows hold placeholders where the links go (secrets.py); a kind that carries a secret
    # (kinds.py) is hidden altogether, for administrators and superusers too: nobody but the
    # recipient may read a password-reset, invitation or guest registration link.

    @staticmethod
    def _hidden(obj: OutboxMessage) -> bool:
        return kinds.carries_secret(obj.kind)

    @admin.display(description=_("plain text"))
    def body_text_shown(self, obj: OutboxMessage) -> str:
        if self._hidden(obj):
            return gettext("Hidden: this message holds a one-time link (password reset, invitation or registration) that only its recipient may see.")
        return obj.body_text

    @admin.display(description=_("HTML"))
    def body_html_shown(self, obj: OutboxMessage) -> str:
        if self._hidden(obj):
            return "—"
        return obj.body_html or "—"

    @admin.display(description=_("headers"))
    def headers_shown(self, obj: OutboxMessage) -> str:
        shown = {
            name: (gettext("(made when sent)") if name.lower() == "list-unsubscribe" else value)
            for name, value in (obj.headers or {}).items()
        }
        return "\n".join(f"{name}: {value}" for name, value in shown.items()) or "—"

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__", 1)[0] in self.HIDDEN_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        return [f for f in super().get_search_fields(request) if f.lstrip("^=@").split("__", 1)[0] not in self.HIDDEN_FIELDS]

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj: OutboxMessage) -> str:
        return ", ".join(item.get("filename", "?") for item in obj.attachments or []) or "—"

    def has_add_permission(self, request):
        return False  # rows come from notify(), never typed in

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted row frees its idempotency key; the daily purge removes old sent rows

    def get_queryset(self, request):
        # The list never shows the bodies: keep them out of the changelist query.
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name == "notifications_outboxmessage_changelist":
            qs = qs.defer("body_text", "body_html", "attachments", "headers")
        return qs

    @admin.action(description=_("Retry selected failed messages"), permissions=["change"])
    def retry_failed(self, request, queryset):
        retried, refused = 0, []
        for message_id in queryset.values_list("pk", flat=True):
            try:
                services.outbox_retry(message_id=message_id, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                refused.append(" ".join(getattr(exc, "messages", None) or [str(exc)]))
            except OutboxMessage.DoesNotExist:
                continue
            else:
                retried += 1
        if retried:
            self.message_user(
                request,
                ngettext("%(count)d message queued for another delivery.", "%(count)d messages queued for another delivery.", retried)
                % {"count": retried},
                messages.SUCCESS,
            )
        for reason in refused[:10]:
            self.message_user(request, reason, messages.WARNING)
        if len(refused) > 10:
            self.message_user(request, _("%(count)d more messages were not retried.") % {"count": len(refused) - 10}, messages.WARNING)


# --- preferences and digests -------------------------------------------------------------------


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SimpleHistoryAdmin):
    """Everyone's preferences (administrators), and "My e-mail preferences" for every staff user."""

    list_display = ("user", "email_language", "digest_frequency", "muted_kinds_display", "updated_at")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("digest_frequency", "email_language")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    autocomplete_fields = ("user",)
    fields = ("user", "email_language", "digest_frequency", "muted_kinds")

    @admin.display(description=_("switched off"))
    def muted_kinds_display(self, obj):
        return ", ".join(str(kinds.get(code).label) for code in obj.muted_kinds) or "—"

    def get_urls(self):
        return [
            path("mine/", self.admin_site.admin_view(self.my_preferences_view), name="notifications_notificationpreference_mine"),
            *super().get_urls(),
        ]

    def my_preferences_view(self, request):
        """The logged-in staff user's own preferences (no model permission needed: they are one's own)."""
        from .views import save_preferences_form

        form, saved = save_preferences_form(request, request.user)
        if saved:
            self.message_user(request, gettext("Your e-mail preferences are saved."), messages.SUCCESS)
            return redirect("admin:notifications_notificationpreference_mine")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("My e-mail preferences"),
            "form": form,
        }
        return TemplateResponse(request, "admin/notifications/my_preferences.html", context)


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    """Read-only: which digest went to whom for which period (or was skipped, nothing being new)."""

    list_display = ("user", "frequency", "period", "status", "new_items", "since", "until", "outbox_key")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("frequency", "status")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name", "period", "outbox_key")
    date_hierarchy = "until"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

