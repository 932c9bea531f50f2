"""RSS and Atom feeds of the upcoming public events (django.contrib.syndication), in the reader's
language (the request's), linking to each event's public page."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import links, selectors

FEED_ITEMS = 50


class UpcomingPublicEventsFeed(Feed):
    title = _("KITB public events")
    description = _("Seminars, workshops and conferences open to the public, soonest first.")

    def link(self):
        return reverse("events_public:event_list")

    def items(self):
        return selectors.public_events_filtered()[:FEED_ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        when = timezone.localtime(item.start, timezone.get_current_timezone())
        place = f"{item.venue.name}, {item.venue.city}" if item.venue_id else str(item.get_mode_display())
        return f"{when:%Y-%m-%d %H:%M} · {place}\n\n{item.description}".strip()

    def item_link(self, item):
        return links.event_url(item, for_guest=True)

    def item_guid(self, item):
        return links.event_url(item, for_guest=True)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [str(item.get_kind_display()), *item.get_topics_display()]


class UpcomingPublicEventsAtomFeed(UpcomingPublicEventsFeed):
    feed_type = Atom1Feed
    subtitle = UpcomingPublicEventsFeed.description
