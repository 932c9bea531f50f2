"""Organisations and their contact directory in the API."""
from __future__ import annotations

from rest_framework import serializers

from ..models import Contact, Organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "local_name", "kind", "country", "is_host"]


class ContactSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    has_login = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id", "organization", "organization_name", "full_name", "position", "department", "email", "phone", "languages",
            "has_login", "user", "is_active", "updated_at",
        ]
