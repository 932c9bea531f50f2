"""MoUs and commitments in the API, scoped by the same selectors as the portal's pages."""
from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from kitb_portal.api.viewsets import ScopedReadOnlyViewSet

from .. import selectors, services
from ..models import Commitment, CommitmentStatus, MoU, MoUStatus
from ..permissions import can_change_commitment
from .serializers import CommitmentSerializer, CommitmentStatusSerializer, MoUSerializer


class MoUFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MoUStatus.choices)
    expires_before = django_filters.DateFilter(field_name="expiry_date", lookup_expr="lte")
    expires_after = django_filters.DateFilter(field_name="expiry_date", lookup_expr="gte")
    organization = django_filters.NumberFilter(field_name="parties__organization", distinct=False, label="party organisation id")

    class Meta:
        model = MoU
        fields = ["status", "expires_before", "expires_after", "organization"]


class MoUViewSet(ScopedReadOnlyViewSet):
    """MoUs: staff with the view permission see all; a partner those their organisation is party to."""

    queryset = MoU.objects.all()
    serializer_class = MoUSerializer
    filterset_class = MoUFilter
    selector = selectors.mou_list_for


class CommitmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CommitmentStatus.choices)
    mou = django_filters.NumberFilter(field_name="mou_id")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = Commitment
        fields = ["status", "mou", "due_before", "due_after"]


class CommitmentViewSet(ScopedReadOnlyViewSet):
    """Commitments of the MoUs the user may see; partnership officers update their status."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    selector = selectors.commitment_list_for

    @extend_schema(request=CommitmentStatusSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Mark a commitment done or waived (with a note), or open it again (partnership officers)."""
        commitment = self.get_object()
        if not can_change_commitment(request.user, commitment):
            raise PermissionDenied(_("Only partnership officers change a commitment's status."))
        data = self.validated_body(CommitmentStatusSerializer)
        if data["status"] == CommitmentStatus.DONE:
            services.commitment_complete(actor=request.user, commitment_id=commitment.pk, note=data["note"], closed_on=data.get("closed_on"))
        elif data["status"] == CommitmentStatus.WAIVED:
            services.commitment_waive(actor=request.user, commitment_id=commitment.pk, note=data["note"])
        else:
            services.commitment_reopen(actor=request.user, commitment_id=commitment.pk)
        return self.answer(commitment)
