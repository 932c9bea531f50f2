"""What every status workflow declared as data shares (partnerships' MoUs, tenants' applications):
a transition's name, label, the statuses it leaves from and the status it reaches. Each app adds
who may fire it (a permission, roles) and its own checks."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


def by_name(transitions: Iterable[Transition]) -> dict[str, Transition]:
    """The workflow's table: each transition under its name, in the order declared."""
    return {t.name: t for t in transitions}
