"""The milestones of a tenant project, declared once as data (after Hypha's workflow definitions).

An approved application becomes a tenant project with one milestone of each kind, in this order.
``required`` milestones must be confirmed before any later milestone can be; an optional one
(trial production) may be skipped. ``planned_after_days`` gives the first planned date, counted
from the approval; staff change it per project.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MilestoneKind:
    code: str
    label: str
    required: bool
    planned_after_days: int


MILESTONES: list[MilestoneKind] = [
    MilestoneKind("licence", _("Investment licence issued (OSS / NIB)"), True, 60),
    MilestoneKind("land_lease", _("Land lease signed"), True, 120),
    MilestoneKind("construction_start", _("Construction started"), True, 240),
    MilestoneKind("trial_production", _("Trial production"), False, 540),
    MilestoneKind("commercial_operation", _("Commercial operation"), True, 720),
]

BY_CODE: dict[str, MilestoneKind] = {kind.code: kind for kind in MILESTONES}
POSITION: dict[str, int] = {kind.code: i + 1 for i, kind in enumerate(MILESTONES)}
CHOICES = [(kind.code, kind.label) for kind in MILESTONES]
CODES = [kind.code for kind in MILESTONES]


def label_of(code: str) -> str:
    """The milestone's name in the active language (a code no longer declared: the code itself)."""
    kind = BY_CODE.get(code)
    return str(kind.label) if kind is not None else code
