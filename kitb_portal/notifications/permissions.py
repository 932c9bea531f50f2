"""Who may do what with the outbox."""
from __future__ import annotations


def can_retry_outbox_message(user, message=None) -> bool:
    """Active KITB staff with the change permission on outbox messages may send one again."""
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and user.has_perm("notifications.change_outboxmessage")
    )
