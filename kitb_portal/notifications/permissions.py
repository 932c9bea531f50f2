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


def can_change_preferences(actor, user) -> bool:
    """A person changes their own notification preferences; KITB administrators anyone's."""
    if actor is None or not actor.is_active:
        return False
    if actor.pk == user.pk:
        return True
    return bool(actor.is_staff and actor.has_perm("notifications.change_notificationpreference"))
