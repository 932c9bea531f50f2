"""Events in the API: events, their agenda (sessions) and registrations.

Never the meeting link (the portal shows it to confirmed registrants only) nor a guest's token."""
from __future__ import annotations

from rest_framework import serializers

from ..models import Event, Registration, Session
from ..permissions import can_see_check_in_code


class EventSerializer(serializers.ModelSerializer):
    venue_name = serializers.CharField(source="venue.name", read_only=True, default=None)
    venue_city = serializers.CharField(source="venue.city", read_only=True, default=None)
    room_name = serializers.CharField(source="room.name", read_only=True, default=None)
    confirmed_count = serializers.IntegerField(read_only=True)
    waitlisted_count = serializers.IntegerField(read_only=True)
    my_registration_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id", "slug", "kind", "title_en", "title_id", "title_ko", "description_en", "description_id", "description_ko", "topics",
            "mode", "venue", "venue_name", "venue_city", "room_name", "start", "end", "capacity", "registration_opens",
            "registration_closes", "status", "is_public", "mou", "confirmed_count", "waitlisted_count", "my_registration_status",
        ]


class SessionSerializer(serializers.ModelSerializer):
    room_name = serializers.CharField(source="room.name", read_only=True, default=None)
    speakers = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "event", "title", "description", "start", "end", "room_name", "speakers"]

    def get_speakers(self, session) -> list[str]:
        return [speaker.name for speaker in session.speakers.all()]


class RegistrationSerializer(serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.title_en", read_only=True)
    event_start = serializers.DateTimeField(source="event.start", read_only=True)
    check_in_code = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id", "event", "event_title", "event_start", "user", "name", "email", "organization", "organization_name", "status",
            "waitlist_position", "check_in_code", "confirmed_at", "cancelled_at", "created_at",
        ]

    def get_check_in_code(self, registration) -> str | None:
        request = self.context.get("request")
        own = request is not None and registration.user_id == request.user.pk
        return registration.check_in_code if own and can_see_check_in_code(registration) else None


class RegistrationCreateSerializer(serializers.Serializer):
    """Register the signed-in user for an event."""

    event = serializers.IntegerField(min_value=1)
