"""List filters that do not list a big table: typed text, fixed choices."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TextListFilter(admin.SimpleListFilter):
    """Filter by typed text (or an id), rendered as a small search box in the filter sidebar.

    Subclasses set ``title``, ``parameter_name``, ``id_lookup`` (used when the text is a number, e.g.
    ``"event_id"``) and ``text_lookups`` (``icontains`` lookups OR-ed together), or override
    :meth:`filter_text`.
    """

    template = "admin/kitb/text_list_filter.html"
    id_lookup: str | None = None
    text_lookups: tuple[str, ...] = ()
    max_length = 100

    def lookups(self, request, model_admin):
        return [("", "")]  # the admin shows a filter only when it has a lookup; the template ignores it

    def choices(self, changelist):
        yield {
            "selected": self.value() not in (None, ""),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "hidden": [(k, v) for k, v in changelist.params.items() if k != self.parameter_name],
            "value": self.value() or "",
            "display": _("All"),
        }

    def queryset(self, request, queryset):
        text = (self.value() or "").strip()[: self.max_length]
        if not text:
            return queryset
        if self.id_lookup and text.isdigit():
            return queryset.filter(**{self.id_lookup: int(text)})
        return self.filter_text(queryset, text)

    def filter_text(self, queryset, text: str):
        condition = Q()
        for lookup in self.text_lookups:
            condition |= Q(**{lookup: text})
        return queryset.filter(condition)


class FixedChoicesFilter(admin.SimpleListFilter):
    """Exact-match filter on ``field`` with fixed ``choices`` [(value, label)], plus "other" if ``other``."""

    field: str = ""
    choices_list: list[tuple[str, str]] = []
    other = False

    def lookups(self, request, model_admin):
        return [*self.choices_list, *([("__other__", _("Other"))] if self.other else [])]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "__other__" and self.other:
            return queryset.exclude(**{f"{self.field}__in": [v for v, _l in self.choices_list]})
        if value in {v for v, _l in self.choices_list}:
            return queryset.filter(**{self.field: value})
        return queryset


COUNTRY_CHOICES = [("ID", _("Indonesia")), ("KR", _("South Korea"))]
LANGUAGE_CHOICES = [("id", _("Indonesian")), ("ko", _("Korean")), ("en", _("English"))]
