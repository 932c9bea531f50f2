"""Create the KITB staff role groups. Their permissions are synchronised after every migrate
(post_migrate, see kitb_portal.accounts.roles.sync_role_permissions), so later apps' models get
permissions without a migration of their own."""

from django.db import migrations

# Frozen copy of kitb_portal.accounts.roles names at the time of this migration.
ROLE_GROUPS = ["KITB administrator", "Partnerships officer", "Events officer", "Screening committee member"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("accounts", "0002_history_and_invitation_revocation"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
