"""Inlines whose selects, autocomplete and raw-id widgets read their choices once per request."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.core.exceptions import EmptyResultSet
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator


class SharedChoicesInlineMixin:
    """An inline whose foreign-key selects (``shared_choice_fields``) read their options once per request.

    Each form of a formset copies the field, and a ``ModelChoiceField`` runs its queryset again for every
    copy: one query per inline row and select (the MoU change page had 34 queries). The options are read
    once, kept on the request, and every row's select shows that list; validation still goes through the
    field's queryset.
    """

    shared_choice_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in self.shared_choice_fields and request is not None:
            shared = request.__dict__.setdefault("_kitb_shared_choices", {})
            # Selects over the same rows (two inlines listing every organisation) share one read.
            try:
                key = (db_field.remote_field.model, str(field.queryset.query), field.empty_label)
            except EmptyResultSet:  # a queryset that is none(): nothing to read anyway
                key = (db_field.model, db_field.name)
            if key not in shared:
                shared[key] = list(iter(field.choices))  # iter: no COUNT first
            field.choices = shared[key]
        return field


class _KnownChoicesMixin:
    """An autocomplete widget that shows its chosen objects from ``known`` ({str(pk): object}, read
    for every row of the formset at once) instead of reading them itself; Django's own
    ``AutocompleteMixin.optgroups`` with that one read taken out."""

    known: dict | None = None

    def optgroups(self, name, value, attr=None):
        selected_choices = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.known is None or not selected_choices <= self.known.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        has_selected = False
        for key in sorted(selected_choices, key=lambda k: (len(k), k)):
            obj = self.known[key]
            selected = key in value and (has_selected is False or self.allow_multiple_selected)
            has_selected |= selected
            default[1].append(self.create_option(name, obj.pk, self.choices.field.label_from_instance(obj), selected_choices, len(default[1])))
        return [default]


class BatchedAutocompleteSelect(_KnownChoicesMixin, AutocompleteSelect):
    pass


class BatchedAutocompleteSelectMultiple(_KnownChoicesMixin, AutocompleteSelectMultiple):
    pass


class BatchedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id widget that labels its object from ``known`` (read for every row at once), where
    Django's reads it for each row (``label_and_url_for_value``); the same label and link."""

    known: dict | None = None

    def label_and_url_for_value(self, value):
        obj = (self.known or {}).get(str(value))
        if obj is None:
            return super().label_and_url_for_value(value)
        try:
            url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))
        except NoReverseMatch:
            url = ""  # no admin for the model
        return Truncator(obj).words(14), url


class BatchedAutocompleteInlineMixin:
    """An inline whose ``autocomplete_fields`` and foreign keys in ``raw_id_fields`` read the chosen
    objects of all its rows in one query per field. Django's autocomplete widget reads its row's
    chosen objects when it renders, and the raw-id widget its object's label: one query per row and
    field (the event page's agenda: a room and the speakers of every session). Here the formset
    collects every row's chosen ids, reads them once through the form field's queryset, and each
    row's widget shows them from that read. Relations to the model's primary key only.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        elif "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = BatchedRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = BatchedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        names = (*self.get_autocomplete_fields(request), *self.raw_id_fields)

        class BatchedFormSet(formset):
            @cached_property
            def forms(self):
                forms = super().forms
                _share_chosen_objects(forms, names)
                return forms

        return BatchedFormSet


def _share_chosen_objects(forms, names) -> None:
    for name in names:
        rows = [(form.fields[name], form[name].value()) for form in forms if name in form.fields]
        if not rows or not isinstance(_inner_widget(rows[0][0]), _KnownChoicesMixin | BatchedRawIdWidget):
            continue
        chosen = set()
        for _field, value in rows:
            values = value if isinstance(value, list | tuple) else [value]
            chosen.update(str(v) for v in values if v not in (None, ""))
        field = rows[0][0]
        known = {str(obj.pk): obj for obj in field.queryset.filter(pk__in=chosen)} if chosen else {}
        for form_field, _value in rows:
            _inner_widget(form_field).known = known


def _inner_widget(form_field):
    return getattr(form_field.widget, "widget", form_field.widget)  # inside the add/change links
