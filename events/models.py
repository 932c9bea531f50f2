"""events models (filled by its issue)."""
