from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kitb_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from . import signals
        from .roles import sync_role_permissions_after_migrate

        # Role groups' permissions follow ROLE_PERMISSIONS after every migrate (and test-DB flush).
        post_migrate.connect(sync_role_permissions_after_migrate, dispatch_uid="accounts_sync_role_permissions")
        # Replace Django's last_login updater: ours writes the column without a history row per login.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(signals.update_last_login, dispatch_uid="accounts_update_last_login")
        user_logged_in.connect(signals.remember_language, dispatch_uid="accounts_remember_language")
        # Password-reset and invitation links are made at delivery, never stored in the outbox.
        from kitb_portal.notifications import secrets

        from . import secret_links

        secrets.register(secret_links.PASSWORD_RESET, secret_links.resolve_password_reset)
        secrets.register(secret_links.INVITATION, secret_links.resolve_invitation)
