"""Admin for users, organisations and invitations. Changes of state go through services."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kitb_portal.common.admin_tools import BoundedCountPaginator, ReadOnlyAdminMixin, TextListFilter
from kitb_portal.common.forms import add_service_errors

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm, InviteForm
from .models import ApiToken, Contact, Invitation, Organization, User


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "local_name", "kind", "country", "is_host", "user_count")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("kind", "country", "is_host")
    search_fields = ("name", "local_name")
    ordering = ("-is_host", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_user_count=Count("users"))

    @admin.display(description=_("users"), ordering="_user_count")
    def user_count(self, obj):
        return obj._user_count


class OrganizationFilter(TextListFilter):
    """The organisation by id or name (typed: a list of every partner organisation grows with them)."""

    title = _("organisation")
    parameter_name = "organization"
    id_lookup = "organization_id"
    text_lookups = ("organization__name__icontains", "organization__local_name__icontains")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    change_list_template = "admin/accounts/user/change_list.html"
    list_display = ("email", "full_name", "organization", "is_staff", "is_org_admin", "is_active", "preferred_language", "joined", "last_login")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = (OrganizationFilter, "is_staff", "is_active", "preferred_language", "is_org_admin", "groups")
    list_per_page = 25  # every row costs rendering time: 25 keep the page fast
    paginator = BoundedCountPaginator
    show_full_result_count = False  # one COUNT less
    list_select_related = ("organization",)
    search_fields = ("email", "full_name", "organization__name", "organization__local_name")
    ordering = ("full_name", "email")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")
    actions = ["deactivate_users", "reactivate_users", "send_new_invitation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "organization", "preferred_language", "time_zone")}),
        (_("Access"), {"fields": ("is_active", "is_org_admin", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": (
            "email", "full_name", "organization", "preferred_language", "is_staff", "usable_password", "password1", "password2",
        )}),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their records and history stay

    # --- superusers are out of reach of everyone else -----------------------------------------
    # Django's admin checks only the change permission, on the change form and on the password
    # page (user_change_password) alike: a KITB administrator could have set a superuser's
    # password or e-mail and taken the account over. Only a superuser changes a superuser.

    @staticmethod
    def _out_of_reach(request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._out_of_reach(request, obj):
            return False  # also refuses the password page, which asks this with the user
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if self._out_of_reach(request, obj):
                raise PermissionDenied
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        if self._out_of_reach(request, self.get_object(request, unquote(id))):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A historical version is judged by the person as they are now (a superuser promoted later
        has versions as an ordinary user), and reverting to one needs the change permission."""
        current = self.get_object(request, unquote(object_id))
        if current is None:
            raise Http404
        if self._out_of_reach(request, current):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out superuser status or permissions outside the role groups.
            fields += ["is_superuser", "user_permissions"]
        return fields

    def save_related(self, request, form, formsets, change):
        # Groups the actor may not hand out are not in the form's choices: keep the ones the person has.
        kept = []
        if change and not request.user.is_superuser:
            kept = list(form.instance.groups.exclude(pk__in=grantable_groups(request.user)))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # A non-superuser hands out only groups that give nothing they do not have themselves
            # (so no one raises themselves, or anyone else, above their own rights).
            kwargs["queryset"] = grantable_groups(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("joined"), boolean=True)
    def joined(self, obj):
        return obj.has_usable_password()

    # --- invite ----------------------------------------------------------------------------
    def get_urls(self):
        return [
            path("invite/", self.admin_site.admin_view(self.invite_view), name="accounts_user_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request):
        """Invite a partner user: name, e-mail, organisation, language; the e-mail goes at once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invitation = form.invite(actor=request.user)
            except ValidationError as exc:
                form.add_service_error(exc)
            except PermissionDenied as exc:
                form.add_error(None, _error_text(exc))
            else:
                self.message_user(
                    request,
                    gettext("An invitation was sent to %(email)s (valid %(days)s days).")
                    % {"email": invitation.user.email, "days": (invitation.expires_at - invitation.created_at).days},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:accounts_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Invite a partner user"),
            "form": form,
            "adminform_fields": list(form),
        }
        return TemplateResponse(request, "admin/accounts/user/invite.html", context)

    # --- actions ---------------------------------------------------------------------------
    def _run(self, request, queryset, service, done_message):
        done = 0
        for user in queryset:
            if self._out_of_reach(request, user):
                self.message_user(request, gettext("%(email)s: only a superuser may change a superuser.") % {"email": user.email}, messages.ERROR)
                continue
            try:
                service(actor=request.user, user=user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{user.email}: {_error_text(exc)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Deactivate selected users (they keep their history)"), permissions=["change"])
    def deactivate_users(self, request, queryset):
        self._run(request, queryset, services.user_deactivate, gettext("%(count)d user(s) deactivated."))

    @admin.action(description=_("Reactivate selected users"), permissions=["change"])
    def reactivate_users(self, request, queryset):
        self._run(request, queryset, services.user_reactivate, gettext("%(count)d user(s) reactivated."))

    @admin.action(description=_("Send a new invitation link (users who have not joined yet)"), permissions=["add"])
    def send_new_invitation(self, request, queryset):
        sent = 0
        for user in queryset.select_related("organization"):
            try:
                services.user_invite(
                    actor=request.user,
                    email=user.email,
                    full_name=user.full_name,
                    organization=user.organization,
                    language=user.preferred_language,
                    is_org_admin=user.is_org_admin,
                )
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{user.email}: {_error_text(exc)}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(request, gettext("%(count)d invitation(s) sent.") % {"count": sent}, messages.SUCCESS)


def grantable_groups(actor):
    """The groups ``actor`` may hand out: those with no permission the actor lacks."""
    if actor.is_superuser:
        return Group.objects.all()
    held = actor.get_all_permissions()
    missing = [
        pk for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
        if f"{app_label}.{codename}" not in held
    ]
    lacking = Group.permissions.through.objects.filter(group_id=OuterRef("pk"), permission_id__in=missing)
    return Group.objects.alias(lacks=Exists(lacking)).filter(lacks=False)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: invitations are written by the invite service and used through their link."""

    list_display = ("user", "organization", "invited_by", "created_at", "expires_at", "used_at", "revoked_at", "state_display")
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice scans the whole table
    list_filter = ("user__organization", ("used_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "user__organization", "invited_by")
    search_fields = ("user__email", "user__full_name", "invited_by__email")
    date_hierarchy = "created_at"
    readonly_fields = ("user", "invited_by", "created_at", "expires_at", "used_at", "revoked_at", "state_display")
    fields = readonly_fields

    @admin.display(description=_("organisation"), ordering="user__organization__name")
    def organization(self, obj):
        return obj.user.organization

    @admin.display(description=_("state"))
    def state_display(self, obj):
        return Invitation.State(obj.state).label


class RoleGroupAdmin(GroupAdmin):
    """Django's group admin, with the group's permissions read with their content types in one query:
    where the user may only view a group, each permission's name showed its content type, read one by one
    (73 queries on the change page)."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            Prefetch("permissions", queryset=Permission.objects.select_related("content_type"))
        )


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)


class ContactAdminForm(forms.ModelForm):
    """Runs the contact services' rule in the form's validation, so refused input is shown on the form."""

    class Meta:
        model = Contact
        fields = ("organization", *services.CONTACT_FIELDS)

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization") if self.instance.pk is None else self.instance.organization
        if organization is not None and not self.errors:
            data = {f: cleaned[f] for f in services.CONTACT_FIELDS if f in cleaned}
            try:
                services.contact_check(organization_id=organization.pk, contact_id=self.instance.pk, data=data)
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    """The contact directory of every organisation; saves go through the contact services, whose rule
    the form runs first (ContactAdminForm)."""

    form = ContactAdminForm

    list_display = ("full_name", "organization", "position", "department", "email", "phone", "has_login", "is_active")
    list_filter = (OrganizationFilter, "is_active")
    search_fields = ("full_name", "email", "position", "department")
    list_select_related = ("organization", "user")
    raw_id_fields = ("organization", "user")
    fields = ("organization", "full_name", "position", "department", "email", "phone", "languages", "user", "is_active")
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        return ("organization", "is_active") if obj is not None else ("is_active",)

    @admin.display(description=_("login"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.CONTACT_FIELDS if f in form.cleaned_data}
        try:
            if change:
                saved = services.contact_update(actor=request.user, contact_id=obj.pk, data=data)
            else:
                saved = services.contact_create(actor=request.user, organization=form.cleaned_data["organization"], data=data)
        except PermissionDenied as exc:
            raise PermissionDenied(_error_text(exc)) from exc
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: records name contacts

    actions = ["deactivate_contacts", "reactivate_contacts"]

    def _set_active(self, request, queryset, active):
        for contact in queryset:
            services.contact_set_active(actor=request.user, contact_id=contact.pk, active=active)

    @admin.action(description=_("Deactivate the selected contacts"), permissions=["change"])
    def deactivate_contacts(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=_("Reactivate the selected contacts"), permissions=["change"])
    def reactivate_contacts(self, request, queryset):
        self._set_active(request, queryset, True)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal API tokens: made for a user here (shown once, on the page after saving) or by the
    user in the portal; never edited, only revoked."""

    list_display = ("name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "scope", "expires_at", "created_by", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # the revoke action only

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Make a token for a user: the token is shown on the answer page, once."""
        from .forms import AdminApiTokenForm

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminApiTokenForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": gettext("Make an API token"), "form": form}
        if request.method == "POST" and form.is_valid():
            try:
                token, raw = services.api_token_create(actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                context.update(title=gettext("API token made"), token=token, raw_token=raw)
        response = TemplateResponse(request, "admin/accounts/apitoken/add.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_tokens(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(actor=request.user, token_id=token.pk)
