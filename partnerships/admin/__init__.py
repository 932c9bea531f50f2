"""Staff pages of the partnerships app (Django admin): MoUs (filters, inlines, transitions, review packs),
commitments, and the lists of an MoU's parts."""
from . import commitments, mous, records  # noqa: F401  (registers the ModelAdmins)
