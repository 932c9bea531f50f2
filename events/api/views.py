"""Events, agenda items and registrations in the API; registering and cancelling go through the
events services (places, waitlist and e-mails exactly as in the portal)."""
from __future__ import annotations

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError

from kitb_portal.api.viewsets import ScopedReadOnlyViewSet

from .. import selectors, services
from ..models import Event, EventKind, EventMode, EventStatus, Registration, RegistrationStatus, Session
from .serializers import EventSerializer, RegistrationCreateSerializer, RegistrationSerializer, SessionSerializer


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    mode = django_filters.ChoiceFilter(choices=EventMode.choices)
    status = django_filters.ChoiceFilter(choices=EventStatus.choices)
    starts_after = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="start", lookup_expr="lte")

    class Meta:
        model = Event
        fields = ["kind", "mode", "status", "starts_after", "starts_before"]


class EventViewSet(ScopedReadOnlyViewSet):
    """Events: partners see published, completed and cancelled ones; staff with view_event all."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    selector = selectors.event_api_list_for


class SessionFilter(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id")

    class Meta:
        model = Session
        fields = ["event"]


class SessionViewSet(ScopedReadOnlyViewSet):
    """Agenda items (sessions) of the events the user may see."""

    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    selector = selectors.session_api_list_for


class RegistrationFilter(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id")
    status = django_filters.ChoiceFilter(choices=RegistrationStatus.choices)

    class Meta:
        model = Registration
        fields = ["event", "status"]


class RegistrationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The user's own registrations (staff with view_registration: all); register and cancel."""

    queryset = Registration.objects.all()
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    selector = selectors.registration_api_list_for

    @extend_schema(request=RegistrationCreateSerializer, responses={201: RegistrationSerializer})
    def create(self, request, *args, **kwargs):
        """Register yourself: a confirmed place while places remain, else the waitlist."""
        event_id = self.validated_body(RegistrationCreateSerializer)["event"]
        try:
            event = selectors.event_api_list_for(request.user).get(pk=event_id)
        except Event.DoesNotExist:
            raise ValidationError({"event": [_("No event with this id is open to you.")]}) from None
        registration = services.registration_create(event_id=event.pk, user=request.user, actor=request.user)
        return self.answer(registration, created=True)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Give up your place (before the event starts); the first on the waitlist moves up."""
        registration = self.get_object()
        if registration.user_id != request.user.pk:
            if request.user.is_staff:
                raise PermissionDenied(_("Only the registered person cancels here; staff use the admin."))
            raise Http404
        services.registration_cancel(registration_id=registration.pk, actor=request.user)
        return self.answer(registration)
