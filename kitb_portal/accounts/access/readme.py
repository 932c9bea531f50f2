"""The README's "Roles and access" table, drawn from the matrix."""

from __future__ import annotations

from .areas import AREAS
from .matrix import grant
from .role_names import ROLES


def matrix_markdown() -> str:
    """The matrix as a Markdown table (role × area), as the README shows it."""
    keys = list(AREAS)
    header = "| role | " + " | ".join(AREAS[k].label for k in keys) + " |"
    rule = "| --- |" + " --- |" * len(keys)
    rows = [header, rule]
    for role, label in ROLES.items():
        rows.append(f"| {label} | " + " | ".join(grant(role, k).describe() for k in keys) + " |")
    return "\n".join(rows) + "\n"
