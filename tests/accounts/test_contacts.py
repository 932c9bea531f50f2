"""The contact directory: partner organisation administrators keep their own organisation's
contacts in the portal (another organisation's is a 404); staff in the admin; contacts name MoU
signatories and commitment owners beside the free text."""
from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from kitb_portal.accounts import services
from kitb_portal.accounts.models import Contact
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin_a(technopark):
    return UserFactory(organization=technopark, email="admin@technopark.example", is_org_admin=True)


@pytest.fixture
def contact_b(province, partner_b):
    return Contact.objects.create(organization=province, full_name="Kim Min-jun", position="Director", email="kim@province.example")


def test_org_admin_adds_edits_and_deactivates_contacts(client, org_admin_a, partner_a, technopark):
    client.force_login(org_admin_a)
    response = client.post(reverse("portal:contact_add"), {
        "full_name": "Lee Seo-yeon", "position": "Team lead", "department": "International cooperation",
        "email": "Lee@Technopark.example", "phone": "+82 43 000 0000", "languages": ["ko", "en"], "user": partner_a.pk,
    })
    assert response.status_code == 302
    contact = Contact.objects.get(organization=technopark)
    assert contact.email == "lee@technopark.example" and contact.languages == ["en", "ko"] and contact.user == partner_a
    assert contact.has_login
    page = client.get(reverse("portal:contact_list")).content.decode()
    assert "Lee Seo-yeon" in page and "International cooperation" in page

    response = client.post(reverse("portal:contact_edit", args=[contact.pk]), {"full_name": "Lee Seo-yeon", "position": "Head", "languages": ["ko"]})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.position == "Head" and contact.user is None and contact.email == ""

    assert client.post(reverse("portal:contact_deactivate", args=[contact.pk])).status_code == 302
    contact.refresh_from_db()
    assert not contact.is_active
    assert client.post(reverse("portal:contact_reactivate", args=[contact.pk])).status_code == 302
    contact.refresh_from_db()
    assert contact.is_active
    assert contact.history.count() >= 4


def test_another_organisations_contact_is_404(client, org_admin_a, contact_b):
    client.force_login(org_admin_a)
    assert client.get(reverse("portal:contact_edit", args=[contact_b.pk])).status_code == 404
    assert client.post(reverse("portal:contact_edit", args=[contact_b.pk]), {"full_name": "Hijacked"}).status_code == 404
    assert client.post(reverse("portal:contact_deactivate", args=[contact_b.pk])).status_code == 404
    contact_b.refresh_from_db()
    assert contact_b.full_name == "Kim Min-jun" and contact_b.is_active
    assert "Kim Min-jun" not in client.get(reverse("portal:contact_list")).content.decode()


def test_only_organisation_administrators_keep_contacts(client, partner_a):
    client.force_login(partner_a)
    assert client.get(reverse("portal:contact_list")).status_code == 403
    assert client.post(reverse("portal:contact_add"), {"full_name": "X"}).status_code == 403


def test_login_of_another_organisation_is_refused(org_admin_a, partner_b, technopark):
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=org_admin_a, organization=technopark, data={"full_name": "X", "user": partner_b})
    assert "user" in exc.value.message_dict


def test_partner_admin_cannot_add_to_another_organisation(org_admin_a, province):
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=org_admin_a, organization=province, data={"full_name": "X"})


def test_email_unique_per_organisation_case_insensitively(org_admin_a, technopark, province):
    services.contact_create(actor=org_admin_a, organization=technopark, data={"full_name": "A", "email": "same@example.org"})
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=org_admin_a, organization=technopark, data={"full_name": "B", "email": "SAME@example.org"})
    assert "email" in exc.value.message_dict
    Contact.objects.create(organization=province, full_name="C", email="same@example.org")  # another organisation: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(organization=technopark, full_name="D", email="Same@Example.org")


def test_database_keeps_languages_and_name_valid(technopark):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(organization=technopark, full_name="X", languages=["fr"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(organization=technopark, full_name="")


def test_staff_keep_contacts_in_the_admin(client, admin_user, province):
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_contact_add"), {
        "organization": province.pk, "full_name": "Choi Ji-woo", "position": "Governor's aide", "languages": "ko",
        "email": "", "phone": "", "department": "", "user": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(full_name="Choi Ji-woo")
    assert contact.organization == province and contact.languages == ["ko"]
    assert client.get(reverse("admin:accounts_contact_changelist")).status_code == 200


def test_admin_shows_a_refused_contact_as_a_form_error_and_saves_nothing(client, admin_user, province):
    """A second contact with the same e-mail in another case: the admin answers the form again with
    the service's message on the e-mail field (it was a 403), and nothing changes."""
    Contact.objects.create(organization=province, full_name="Kim Min-jun", email="kim@province.example")
    other = Contact.objects.create(organization=province, full_name="Park Ji-ho", email="park@province.example")
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_contact_change", args=[other.pk]), {
        "full_name": "Park Ji-ho", "position": "", "department": "", "email": "KIM@province.example",
        "phone": "", "languages": "", "user": "",
    })
    assert response.status_code == 200
    assert "Another contact of this organisation has this e-mail address." in response.content.decode()
    assert response.context["adminform"].form.errors["email"]
    other.refresh_from_db()
    assert other.email == "park@province.example"


def test_signatory_and_commitment_owner_contacts_must_be_of_the_right_organisation(technopark, province, kitb, admin_user):
    from partnerships import services as partnership_services
    from tests.partnerships.factories import mou_with_parties

    mou = mou_with_parties(kitb, technopark)
    party = mou.parties.get(organization=technopark)
    mine = Contact.objects.create(organization=technopark, full_name="Park", position="President")
    theirs = Contact.objects.create(organization=province, full_name="Other")
    with pytest.raises(ValidationError):
        partnership_services.party_set_signatory(
            actor=admin_user, party_id=party.pk, signatory_name="Other", signatory_title="x", signed_on=None, signatory_contact=theirs,
        )
    party = partnership_services.party_set_signatory(
        actor=admin_user, party_id=party.pk, signatory_name="Park", signatory_title="President", signed_on=None, signatory_contact=mine,
    )
    assert party.signatory_contact == mine and party.signatory_name == "Park"
    with pytest.raises(ValidationError):
        partnership_services.commitment_create(
            actor=admin_user, mou_id=mou.pk, description="Host a seminar", responsible_organization=technopark, responsible_contact=theirs,
        )
    commitment = partnership_services.commitment_create(
        actor=admin_user, mou_id=mou.pk, description="Host a seminar", responsible_organization=technopark,
        responsible_person="Park", responsible_contact=mine,
    )
    assert commitment.responsible_contact == mine and commitment.responsible_person == "Park"


def test_data_migration_makes_contacts_from_free_text_signatories(technopark, province, kitb):
    from django.apps import apps

    from partnerships.models import MoUParty
    from tests.partnerships.factories import mou_with_parties

    first = mou_with_parties(kitb, technopark)
    second = mou_with_parties(kitb, technopark)
    MoUParty.objects.filter(mou=first, organization=technopark).update(signatory_name="Park Sun", signatory_title="President")
    MoUParty.objects.filter(mou=second, organization=technopark).update(signatory_name="park sun ", signatory_title="President")
    MoUParty.objects.filter(mou=second, organization=kitb).update(signatory_name="Budi", signatory_title="Director")
    migration = importlib.import_module("partnerships.migrations.0007_contacts_from_signatories")
    migration.forwards(apps, None)
    parties = {(p.mou_id, p.organization_id): p for p in MoUParty.objects.select_related("signatory_contact")}
    park = parties[(first.pk, technopark.pk)].signatory_contact
    assert park is not None and park.full_name == "Park Sun" and park.position == "President" and park.organization == technopark
    assert parties[(second.pk, technopark.pk)].signatory_contact == park  # one contact per organisation and name
    assert parties[(second.pk, kitb.pk)].signatory_contact.organization == kitb
    assert parties[(first.pk, kitb.pk)].signatory_contact is None  # no name, no contact
    assert parties[(first.pk, technopark.pk)].signatory_name == "Park Sun"  # the free text stays
    assert Contact.objects.count() == 2


def test_api_lists_only_own_organisations_contacts(partner_a, contact_b, technopark):
    from tests.api.conftest import token_client

    mine = Contact.objects.create(organization=technopark, full_name="Mine")
    api = token_client(partner_a, "read")
    rows = api.get("/api/v1/contacts/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk] and rows[0]["has_login"] is False
    assert api.get(f"/api/v1/contacts/{contact_b.pk}/").status_code == 404
