"""Staff pages of the tenants app (Django admin): the application pipeline (applications.py, with
application_changelist.py and application_inlines.py), reviews, the committee, land, tenant projects,
the journey before the application, and reference data."""
from . import applications, committee, journey, land, projects, reference, reviews  # noqa: F401  (registers the ModelAdmins)
