"""Make a contact for every free-text signatory (one per organisation and name) and link it.

The free-text name and title stay as they were; nothing stored is lost. Reversing unlinks only."""
from django.db import migrations


def forwards(apps, schema_editor):
    Contact = apps.get_model("accounts", "Contact")
    MoUParty = apps.get_model("partnerships", "MoUParty")
    made = {}
    for party in MoUParty.objects.filter(signatory_contact__isnull=True).exclude(signatory_name="").order_by("pk").iterator():
        name = party.signatory_name.strip()
        if not name:
            continue
        key = (party.organization_id, name.casefold())
        contact = made.get(key)
        if contact is None:
            contact = Contact.objects.filter(organization_id=party.organization_id, full_name__iexact=name).first()
        if contact is None:
            contact = Contact.objects.create(organization_id=party.organization_id, full_name=name[:200], position=party.signatory_title.strip()[:200])
        made[key] = contact
        MoUParty.objects.filter(pk=party.pk).update(signatory_contact=contact)


def backwards(apps, schema_editor):
    apps.get_model("partnerships", "MoUParty").objects.update(signatory_contact=None)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0006_contacts_for_signatories_and_commitments"),
        ("accounts", "0006_api_tokens_and_contacts"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
