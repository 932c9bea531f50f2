"""No request can drop what is cached site-wide: an anonymous POST (to /admin/logout/, say) or a POST
the site refuses leaves every cache entry as it was. (The content version that used to be moved on by
any admin POST, and the caches under it, are gone; what remains in the cache is keyed by what it
depends on, never by a global counter.)"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kitb_portal.accounts import roles
from tests.factories import UserFactory
from tests.partnerships.factories import mou_with_parties

pytestmark = pytest.mark.django_db


def _cache_contents() -> dict:
    """Every key of the test cache with its value (the raw bytes Redis holds)."""
    client = cache._cache.get_client(write=False)
    prefix = cache.make_key("")
    return {key: client.dump(key) for key in client.scan_iter(match=prefix + "*")}


def test_anonymous_and_refused_posts_leave_the_cache_alone(admin_user, partner_a, kitb, technopark):
    mou = mou_with_parties(kitb, technopark, reference="TRUST/1")
    staff, partner = Client(), Client()
    staff.force_login(admin_user)
    partner.force_login(partner_a)
    # whatever the pages keep in the cache, and one entry of our own
    for page in (reverse("admin:index"), reverse("admin:partnerships_mou_changelist"), reverse("portal:home"),
                 reverse("partnerships:mou_list")):
        assert (staff if page.startswith("/admin/") else partner).get(page).status_code == 200
    cache.set("trust:sentinel", "kept", None)
    before = _cache_contents()
    assert before

    anonymous = Client()
    assert anonymous.post(reverse("admin:logout")).status_code in (302, 403)
    assert anonymous.post(reverse("admin:partnerships_mou_changelist"), {"action": "", "index": "0"}).status_code == 302
    # a partner is not staff: the admin refuses them
    assert partner.post(reverse("admin:partnerships_mou_changelist"), {"action": "", "index": "0"}).status_code == 302
    assert _cache_contents() == before
    # a screening committee member may not change an MoU: refused
    reviewer = UserFactory(staff=True, organization=kitb, email="reviewer-trust@kitb.example")
    reviewer.groups.add(Group.objects.get(name=roles.SCREENING_COMMITTEE))
    refused = Client()
    refused.force_login(reviewer)
    before = _cache_contents()  # the reviewer's login may write what logins write; the POST below may not
    assert refused.post(reverse("admin:partnerships_mou_change", args=[mou.pk]), {"title_en": "Changed"}).status_code == 403
    assert anonymous.post(reverse("admin:logout")).status_code in (302, 403)

    assert _cache_contents() == before
