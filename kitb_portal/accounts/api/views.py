"""Organisations and contacts in the API: staff with the view permissions see all; a partner user
their own organisation and its contacts."""
from __future__ import annotations

import django_filters

from kitb_portal.api.viewsets import ScopedReadOnlyViewSet

from .. import selectors
from ..models import Contact, Organization, OrganizationKind
from .serializers import ContactSerializer, OrganizationSerializer


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact", max_length=2)

    class Meta:
        model = Organization
        fields = ["kind", "country"]


class OrganizationViewSet(ScopedReadOnlyViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    selector = selectors.organization_list_for


class ContactFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(field_name="organization_id")
    # true / false only: anything else is a 400 naming the parameter (BooleanFilter would ignore it)
    is_active = django_filters.TypedChoiceFilter(choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true")

    class Meta:
        model = Contact
        fields = ["organization", "is_active"]


class ContactViewSet(ScopedReadOnlyViewSet):
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    selector = selectors.contact_list_for
