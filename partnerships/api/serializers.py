"""Partnerships in the API: what a partner or staff member reads of MoUs and commitments.

No internal notes, documents or reviewer data: the MoU's parties, dates, status and counts."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Commitment, CommitmentStatus, MoU, MoUParty


class PartySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = MoUParty
        fields = ["organization", "organization_name", "role", "signatory_name", "signatory_title", "signatory_contact", "signed_on"]


class MoUSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)
    commitments_open = serializers.IntegerField(read_only=True)
    commitments_done = serializers.IntegerField(read_only=True)
    commitments_waived = serializers.IntegerField(read_only=True)

    class Meta:
        model = MoU
        fields = [
            "id", "reference", "title_en", "title_id", "title_ko", "summary", "scope", "status", "signed_date", "effective_date",
            "expiry_date", "term_number", "auto_renew", "renewal_notice_days", "termination_date", "parties",
            "commitments_open", "commitments_done", "commitments_waived", "created_at", "updated_at",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    mou_reference = serializers.CharField(source="mou.reference", read_only=True)
    responsible_organization_name = serializers.CharField(source="responsible_organization.name", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id", "mou", "mou_reference", "description", "responsible_organization", "responsible_organization_name",
            "responsible_person", "responsible_contact", "due_date", "status", "fulfilment_note", "closed_on", "updated_at",
        ]


class CommitmentStatusSerializer(serializers.Serializer):
    """A commitment's new status: done or waived (with what fulfilled it / why), or open again."""

    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    closed_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs["status"] != CommitmentStatus.OPEN and not (attrs.get("note") or "").strip():
            raise serializers.ValidationError({"note": _("Say what fulfilled the commitment (or why it is waived).")})
        return attrs
