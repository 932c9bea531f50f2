"""Factories of the events app. Events are created through ``services.event_create``."""
import datetime as dt

import factory
from django.utils import timezone

from events import services
from events.models import Event, Room, Speaker, Venue
from tests.factories import UserFactory


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue
        django_get_or_create = ("name", "city")

    name = factory.Sequence(lambda n: f"Hall {n}")
    city = "Batang"
    address = "Jl. Industri 1"
    country = "ID"
    time_zone = "Asia/Jakarta"
    capacity = 200

    class Params:
        korea = factory.Trait(city="Cheongju", country="KR", time_zone="Asia/Seoul", address="Osong-eup")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 50


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    organization_name = "Chungbuk Technopark"


class EventFactory(factory.Factory):
    """``EventFactory(published=True)``; days_ahead sets the start (each event its own day by default)."""

    class Meta:
        model = Event

    kind = Event.Kind.SEMINAR
    title_en = factory.Sequence(lambda n: f"Seminar {n}")
    title_id = factory.LazyAttribute(lambda o: f"{o.title_en} (ID)")
    title_ko = factory.LazyAttribute(lambda o: f"{o.title_en} (KO)")
    description_en = "About innovation."
    topics = factory.LazyFunction(lambda: ["innovation"])
    mode = Event.Mode.ON_SITE
    venue = factory.SubFactory(VenueFactory)
    start = factory.Sequence(
        lambda n: (timezone.now() + dt.timedelta(days=10 + n)).replace(hour=2, minute=0, second=0, microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=4))
    capacity = 10
    status = Event.Status.DRAFT
    is_public = False
    slug = ""
    meeting_link = ""

    class Params:
        published = factory.Trait(status=Event.Status.PUBLISHED)
        online = factory.Trait(mode=Event.Mode.ONLINE, venue=None, meeting_link="https://meet.example.org/x")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = kwargs.pop("actor", None) or UserFactory(staff=True)
        return services.event_create(actor=actor, **kwargs)


def events_officer(organization, **fields):
    """A KITB staff user in the events officer role group."""
    from django.contrib.auth.models import Group

    from kitb_portal.accounts.roles import EVENTS_OFFICER

    user = UserFactory(staff=True, organization=organization, **fields)
    user.groups.add(Group.objects.get(name=EVENTS_OFFICER))
    return user
