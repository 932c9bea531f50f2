"""Kept for migration 0001, which refers to ``tenants.storage.PrivateDocumentStorage``: private files
are stored by the core's storage (kitb_portal/common/storage.py)."""
from kitb_portal.common.storage import PrivateStorage as PrivateDocumentStorage

__all__ = ["PrivateDocumentStorage"]
