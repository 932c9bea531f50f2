"""The partnerships app's search sources (``settings.SEARCH_SOURCES``): MoUs and their commitments.

Both start from :func:`selectors.mou_queryset_for`, the scope of the MoU pages: staff with the view
permission see every MoU; a partner only those their organisation is a party to.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kitb_portal.accounts import roles
from kitb_portal.search.core import Hit, Query, Source, ranked

from . import selectors
from .models import Commitment, MoU


class MoUSource(Source):
    key = "mous"
    label = _("MoUs")

    def available(self, user) -> bool:
        return selectors.is_staff_viewer(user) or roles.is_partner_user(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        rows = ranked(
            selectors.mou_queryset_for(user), query, like=("reference", "title_ko"),
            exact=Q(reference__iexact=query.text), limit=limit,
        )
        return [
            Hit(
                title=f"{mou.reference} — {mou.title}", detail=mou.get_status_display(), rank=mou.search_rank,
                url=reverse("admin:partnerships_mou_change", args=[mou.pk]) if user.is_staff else mou.get_absolute_url(),
            )
            for mou in rows
        ]


class CommitmentSource(Source):
    key = "commitments"
    label = _("Commitments")

    def available(self, user) -> bool:
        return MoUSource().available(user)

    def search(self, user, query: Query, *, limit: int) -> list[Hit]:
        scoped = Commitment.objects.filter(mou__in=selectors.mou_queryset_for(user))
        rows = ranked(
            scoped, query, limit=limit,
            display=Commitment.objects.select_related("mou", "responsible_organization"),
        )
        hits = []
        for commitment in rows:
            mou: MoU = commitment.mou
            if user.is_staff:
                url = reverse("admin:partnerships_commitment_change", args=[commitment.pk])
            else:
                url = f"{mou.get_absolute_url()}#commitments"
            hits.append(Hit(
                title=str(commitment), rank=commitment.search_rank, url=url,
                detail=f"{mou.reference} · {commitment.responsible_organization} · {commitment.get_status_display()}",
            ))
        return hits


mous = MoUSource()
commitments = CommitmentSource()
