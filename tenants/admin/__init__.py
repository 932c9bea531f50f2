"""Staff pages of the tenants app (Django admin): pipeline, reviews, land, reference data."""
from . import applications, committee, journey, land, projects, reference, reviews  # noqa: F401  (registers the ModelAdmins)
