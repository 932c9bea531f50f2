"""``{% load event_time %}``: event times in WIB and KST side by side, plus the viewer's zone.

* ``{% event_when event %}`` / ``{% event_when event tz=recipient.time_zone %}``: HTML, one
  ``<span>`` per zone (use ``{% event_when_text event %}`` in plain-text e-mail);
* ``{% time_range start end %}`` for any pair of instants, ``date=False`` for times only (agenda).
"""

from django import template
from django.utils.html import format_html, format_html_join

from kitb_portal.common.zonetime import range_in_zones, range_text

register = template.Library()


def _html(parts):
    return format_html(
        '<span class="event-when">{}</span>',
        format_html_join(
            " · ", '<span class="event-when-zone text-nowrap" data-zone="{}">{} <abbr title="{}">{}</abbr></span>',
            ((p.zone, p.text, p.zone, p.label) for p in parts),
        ),
    )


@register.simple_tag
def event_when(event, tz=None):
    return _html(range_in_zones(event.start, event.end, tz))


@register.simple_tag
def event_when_text(event, tz=None):
    return range_text(event.start, event.end, tz)


@register.simple_tag
def time_range(start, end=None, tz=None, date=True):
    return _html(range_in_zones(start, end, tz, with_date=date))


@register.simple_tag
def time_range_text(start, end=None, tz=None, date=True):
    return range_text(start, end, tz, with_date=date)


@register.filter
def wib_kst(value):
    """``{{ some_datetime|wib_kst }}``: one instant in both zones (and the viewer's)."""
    if not value:
        return ""
    return range_text(value)
