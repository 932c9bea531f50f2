"""partnerships models (filled by its issue)."""
