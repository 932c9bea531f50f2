"""tenants models (filled by its issue)."""
