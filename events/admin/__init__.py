"""Staff pages of the events app (Django admin): events and their calendar, venues and speakers,
registrations and feedback, proposals, delegations, issued documents, presentation files."""
from . import delegations, documents, events, presentations, proposals, registrations, venues  # noqa: F401  (registers the ModelAdmins)
from .exports import RegistrationResource  # noqa: F401  (background export jobs name "events.admin.RegistrationResource")
