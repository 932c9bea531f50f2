"""Applications, zones and plots in the API, scoped by the tenants selectors; referral drafts are
made through the tenants services."""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from kitb_portal.api.viewsets import ScopedReadOnlyViewSet

from .. import selectors
from ..models import Application, ApplicationStatus, Plot, PlotStatus, Zone
from ..services import applications as application_services
from .serializers import ApplicationDraftSerializer, ApplicationSerializer, PlotSerializer, StaffApplicationSerializer, ZoneSerializer


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    sector = django_filters.CharFilter(field_name="sector__code")

    class Meta:
        model = Application
        fields = ["status", "sector"]


class ApplicationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Applications: a partner their organisation's referrals; staff with view_application all."""

    queryset = Application.objects.all()
    filterset_class = ApplicationFilter
    selector = selectors.application_api_list_for

    def get_serializer_class(self):
        if self.action == "create":
            return ApplicationDraftSerializer
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return StaffApplicationSerializer
        return ApplicationSerializer

    @extend_schema(request=ApplicationDraftSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        """Refer a company: a draft application for your organisation (partner users; staff use the admin)."""
        data = self.validated_body(ApplicationDraftSerializer)
        application = application_services.application_create(actor=request.user, data=dict(data))
        return self.answer(application, ApplicationSerializer, created=True)


class ZoneViewSet(ScopedReadOnlyViewSet):
    """Zones of the estate: staff who may view land; a partner the zones of plots held for their referrals."""

    queryset = Zone.objects.all()
    serializer_class = ZoneSerializer
    selector = selectors.zone_list_for


class PlotFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PlotStatus.choices)
    zone = django_filters.CharFilter(field_name="zone__code")

    class Meta:
        model = Plot
        fields = ["status", "zone"]


class PlotViewSet(ScopedReadOnlyViewSet):
    """Plots: staff who may view land see all; a partner the plots held for their organisation's referrals."""

    queryset = Plot.objects.all()
    serializer_class = PlotSerializer
    filterset_class = PlotFilter
    selector = selectors.plot_list_for
