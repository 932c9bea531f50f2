"""Staff admin: bounded queries, filters, search, transitions offered by status, import/export."""
import datetime as dt
import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from partnerships import services
from partnerships.models import Commitment, MoU, MoUDocument, MoUParty, MoUStatus
from tests.factories import OrganizationFactory, UserFactory
from tests.utils import assert_flat_queries, count_queries

from .factories import CommitmentFactory, mou_with_parties, pdf_upload

CHANGELIST = "admin:partnerships_mou_changelist"


def make_mous(n, kitb, technopark, owner):
    for _ in range(n):
        mou = mou_with_parties(kitb, technopark, owner=owner, active=True)
        CommitmentFactory(mou=mou, responsible_organization=technopark)
        MoUDocument.objects.create(mou=mou, version=1, kind="signed_copy", file=f"partnerships/mou_{mou.pk}/x.pdf",
                                   original_name="signed.pdf", size=100, sha256="0" * 64)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_admin_changelist_queries_do_not_grow_with_mous(staff_client, kitb, technopark, officer):
    make_mous(5, kitb, technopark, officer)
    small = count_queries(staff_client.get, reverse(CHANGELIST))
    assert small[2].status_code == 200
    make_mous(195, kitb, technopark, officer)
    large = count_queries(staff_client.get, reverse(CHANGELIST))
    assert large[2].status_code == 200 and "200 MoUs" in large[2].content.decode()
    assert_flat_queries(small, large)


@pytest.mark.slow  # builds the data twice: the query count at two sizes
@pytest.mark.django_db
def test_portal_list_queries_do_not_grow_with_mous(client_a, kitb, technopark, officer):
    make_mous(5, kitb, technopark, officer)
    small = count_queries(client_a.get, reverse("partnerships:mou_list"))
    make_mous(195, kitb, technopark, officer)
    large = count_queries(client_a.get, reverse("partnerships:mou_list"))
    assert large[2].context["page"].paginator.count == 200
    assert "signed.pdf" not in large[2].content.decode() and "/download/" in large[2].content.decode()
    assert_flat_queries(small, large)


@pytest.mark.django_db
def test_filters_and_search(staff_client, kitb, technopark, province, officer):
    today = timezone.localdate()
    soon = mou_with_parties(kitb, technopark, owner=officer, status=MoUStatus.ACTIVE, signed_date=today - dt.timedelta(days=400),
                            effective_date=today - dt.timedelta(days=400), expiry_date=today + dt.timedelta(days=20),
                            reference="SOON/1", scope=["msme"])
    later = mou_with_parties(kitb, province, owner=officer, status=MoUStatus.ACTIVE, signed_date=today - dt.timedelta(days=400),
                             effective_date=today - dt.timedelta(days=400), expiry_date=today + dt.timedelta(days=60),
                             reference="LATER/1", scope=["investment"])
    far = mou_with_parties(kitb, province, owner=officer, reference="DRAFT/1", title_en="Battery makers")

    def refs(**params):
        response = staff_client.get(reverse(CHANGELIST), params)
        return sorted(m.reference for m in response.context["cl"].result_list)

    assert refs(expiring="30") == ["SOON/1"]
    assert refs(expiring="90") == ["LATER/1", "SOON/1"]
    assert refs(status__exact="draft") == ["DRAFT/1"]
    assert refs(party=str(technopark.pk)) == ["SOON/1"]
    assert refs(scope="investment") == ["LATER/1"]
    assert refs(q="Chungcheongbuk") == ["DRAFT/1", "LATER/1"]
    assert refs(q="battery") == ["DRAFT/1"]
    assert far.pk and soon.pk and later.pk


@pytest.mark.django_db
def test_change_page_offers_only_allowed_transitions(staff_client, mou_a):
    url = reverse("admin:partnerships_mou_change", args=[mou_a.pk])
    body = staff_client.get(url).content.decode()
    assert reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "start_negotiation"]) in body
    assert reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "terminate"]) in body
    assert reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "sign"]) not in body
    # a transition not allowed now is refused even by URL
    response = staff_client.post(reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "activate"]), {}, follow=True)
    assert "not allowed" in response.content.decode()
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.DRAFT


@pytest.mark.django_db
def test_transition_buttons_call_the_services_and_show_what_is_missing(staff_client, mou_a, technopark):
    response = staff_client.post(reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "start_negotiation"]), {})
    assert response.status_code == 302
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.NEGOTIATION
    response = staff_client.post(reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "sign"]), {})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be marked signed" in body and "signed copy" in body and technopark.name in body
    response = staff_client.post(reverse("admin:partnerships_mou_transition", args=[mou_a.pk, "terminate"]), {"reason": "Dropped"})
    mou_a.refresh_from_db()
    assert mou_a.status == MoUStatus.TERMINATED and mou_a.termination_reason == "Dropped"
    body = staff_client.get(reverse("admin:partnerships_mou_change", args=[mou_a.pk])).content.decode()
    assert "/transition/" not in body


@pytest.mark.django_db
def test_actions_are_filtered_by_the_status_filter_and_report_refusals(staff_client, mou_a, mou_b):
    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "draft"})
    actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "action_start_negotiation" in actions and "action_sign" not in actions and "action_expire" not in actions
    response = staff_client.post(reverse(CHANGELIST), {"action": "action_activate", "_selected_action": [mou_a.pk]}, follow=True)
    assert "Activate" in response.content.decode() and "needs status" in response.content.decode()
    response = staff_client.post(reverse(CHANGELIST), {"action": "action_start_negotiation",
                                                       "_selected_action": [mou_a.pk, mou_b.pk]}, follow=True)
    assert set(MoU.objects.values_list("status", flat=True)) == {MoUStatus.NEGOTIATION}


@pytest.mark.django_db
def test_admin_upload_page_uses_the_service(staff_client, mou_a):
    url = reverse("admin:partnerships_mou_upload", args=[mou_a.pk])
    response = staff_client.post(url, {"file": SimpleUploadedFile("x.pdf", b"\x89PNG not a pdf"), "kind": "draft",
                                       "language": "en", "governing_language": "en"})
    assert response.status_code == 200 and "is not a PDF" in response.content.decode()
    response = staff_client.post(url, {"file": pdf_upload("signed.pdf"), "kind": "signed_copy", "language": "id",
                                       "governing_language": "id"})
    assert response.status_code == 302 and mou_a.documents.get().kind == "signed_copy"
    body = staff_client.get(reverse("admin:partnerships_mou_change", args=[mou_a.pk])).content.decode()
    assert reverse("partnerships:document_download", args=[mou_a.pk, mou_a.documents.get().pk]) in body
    assert staff_client.get(reverse("partnerships:document_download", args=[mou_a.pk, mou_a.documents.get().pk])).status_code == 200


@pytest.mark.django_db
def test_history_is_shown_in_the_admin(staff_client, mou_a, admin_user):
    services.mou_start_negotiation(mou_id=mou_a.pk, actor=admin_user)
    response = staff_client.get(reverse("admin:partnerships_mou_history", args=[mou_a.pk]))
    assert response.status_code == 200 and "negotiation started" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt,index", [("csv", 0), ("xlsx", 1)])
def test_export_csv_and_xlsx(staff_client, mou_a, fmt, index):
    response = staff_client.post(reverse("admin:partnerships_mou_export"), {
        "format": str(index), "resource": "0",
        **{f"mouresource_{f}": "on" for f in ["reference", "title_en", "status", "parties", "owner", "scope"]},
    })
    assert response.status_code == 200, response.content[:2000]
    if fmt == "csv":
        text = response.content.decode()
        assert "KITB/A/1" in text and "Chungbuk Technopark|second_party" in text
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [c.value for row in sheet.iter_rows() for c in row]
        assert "KITB/A/1" in values


def _csv(text):
    return SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_import_mous_preview_names_row_and_field_then_imports(staff_client, kitb, technopark, officer):
    url = reverse("admin:partnerships_mou_import")
    bad = (
        "reference,title_en,scope,effective_date,expiry_date,owner,parties\n"
        f"IMP/1,Good one,events;msme,2025-01-01,2027-12-31,{officer.email},{kitb.name}|first_party; {technopark.name}\n"
        f"IMP/2,Bad dates,events,2025-01-01,2024-12-31,{officer.email},{kitb.name}\n"
        f"IMP/3,Bad scope and party,rockets,,,nobody@example.com,Unknown Org\n"
    )
    response = staff_client.post(url, {"format": "0", "resource": "0", "import_file": _csv(bad)})
    assert response.status_code == 200
    result = response.context["result"]
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {2, 3}
    assert "expiry_date" in invalid[2]
    assert {"scope", "owner", "parties"} <= set(invalid[3])
    assert "rockets" in str(invalid[3]["scope"]) and "Unknown Org" in str(invalid[3]["parties"])
    body = response.content.decode()
    assert "Bad dates" in body or "IMP/2" in body
    assert MoU.objects.count() == 0  # nothing imported while a row is invalid
    good = (
        "reference,title_en,scope,effective_date,expiry_date,owner,parties\n"
        f"IMP/1,Good one,events;msme,2025-01-01,2027-12-31,{officer.email},{kitb.name}|first_party; {technopark.name}\n"
    )
    response = staff_client.post(url, {"format": "0", "resource": "0", "import_file": _csv(good)})
    assert not response.context["result"].has_validation_errors()
    confirm = response.context["confirm_form"]
    staff_client.post(reverse("admin:partnerships_mou_process_import"), confirm.initial)
    mou = MoU.objects.get(reference="IMP/1")
    assert (mou.status, mou.scope, mou.owner) == (MoUStatus.DRAFT, ["events", "msme"], officer)
    assert set(MoUParty.objects.filter(mou=mou).values_list("organization__name", "role")) == {
        (kitb.name, "first_party"), (technopark.name, "second_party")}


@pytest.mark.django_db
def test_import_commitments_checks_mou_and_responsible_party(staff_client, mou_a, technopark):
    outsider = OrganizationFactory(name="Outsider Ltd")
    wb = Workbook()
    ws = wb.active
    ws.append(["id", "mou", "description", "responsible_organization", "due_date", "status"])
    ws.append(["", "KITB/A/1", "Two joint seminars a year", technopark.name, "2026-12-01", "open"])
    ws.append(["", "NOPE/9", "Unknown MoU", technopark.name, "2026-12-01", "open"])
    ws.append(["", "KITB/A/1", "Not a party", outsider.name, "2026-12-01", "maybe"])
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("c.xlsx", buf.getvalue())
    response = staff_client.post(reverse("admin:partnerships_commitment_import"), {"format": "1", "resource": "0", "import_file": upload})
    invalid = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert set(invalid) == {2, 3}
    assert "NOPE/9" in str(invalid[2]["mou"])
    assert "status" in invalid[3]
    assert Commitment.objects.count() == 0
    ok = Workbook()
    ok.active.append(["id", "mou", "description", "responsible_organization", "due_date", "status", "fulfilment_note"])
    ok.active.append(["", "KITB/A/1", "Two joint seminars a year", technopark.name, "2026-12-01", "done", "Held in May and October"])
    buf = io.BytesIO()
    ok.save(buf)
    response = staff_client.post(reverse("admin:partnerships_commitment_import"), {
        "format": "1", "resource": "0", "import_file": SimpleUploadedFile("c.xlsx", buf.getvalue())})
    staff_client.post(reverse("admin:partnerships_commitment_process_import"), response.context["confirm_form"].initial)
    commitment = Commitment.objects.get()
    assert commitment.status == "done" and commitment.closed_on is not None


@pytest.mark.django_db
def test_import_commitment_for_an_organisation_that_is_not_a_party(staff_client, mou_a):
    outsider = OrganizationFactory(name="Outsider Ltd")
    text = f"id,mou,description,responsible_organization,status\n,KITB/A/1,X,{outsider.name},open\n"
    response = staff_client.post(reverse("admin:partnerships_commitment_import"), {"format": "0", "resource": "0", "import_file": _csv(text)})
    invalid = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert "is not a party to MoU KITB/A/1" in str(invalid[1]["responsible_organization"])


@pytest.mark.django_db
def test_every_partnerships_admin_page_loads(staff_client, mou_a, officer, technopark):
    doc = services.document_upload(actor=officer, mou_id=mou_a.pk, uploaded_file=pdf_upload("d.pdf"))
    services.mou_start_negotiation(mou_id=mou_a.pk, actor=officer)
    party = mou_a.parties.get(organization=technopark)
    services.document_decide(actor=officer, document_id=doc.pk, party_id=party.pk, decision="changes_requested", comment="Art. 3")
    CommitmentFactory(mou=mou_a, responsible_organization=technopark)
    services.note_add(actor=officer, mou_id=mou_a.pk, text="Kick-off call")
    for model in ["mou", "commitment", "mouparty", "moudocument", "documentapproval", "mounote", "mouterm"]:
        assert staff_client.get(reverse(f"admin:partnerships_{model}_changelist")).status_code == 200, model
    body = staff_client.get(reverse("admin:partnerships_mou_change", args=[mou_a.pk])).content.decode()
    assert "Changes requested" in body and "Art. 3" in body  # the answers to the current draft
    assert staff_client.get(reverse("admin:partnerships_mou_add")).status_code == 200
    for name in ["sign", "terminate"]:
        assert staff_client.get(reverse("admin:partnerships_mou_transition", args=[mou_a.pk, name])).status_code == 200


@pytest.mark.django_db
def test_admin_add_form_saves_scope_checkboxes(staff_client, officer):
    prefixes = ["parties", "documents", "commitments", "targets", "notes", "terms"]
    data = {"reference": "ADM/1", "title_en": "Added in the admin", "scope": ["events", "msme"], "owner": officer.pk,
            "renewal_notice_days": 90}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = staff_client.post(reverse("admin:partnerships_mou_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    mou = MoU.objects.get(reference="ADM/1")
    assert mou.scope == ["events", "msme"] and mou.status == MoUStatus.DRAFT


@pytest.mark.django_db
def test_the_change_page_picks_organisations_by_autocomplete_and_reads_each_kind_of_chosen_object_once(
        staff_client, mou_a, kitb, technopark, officer):
    """The parties' and commitments' organisations are autocomplete widgets showing only the chosen one
    (a select of every organisation per row was most of the page); the raw-id widgets label their
    person as Django's does, and every row's chosen objects of a field are read in one query."""
    from django.contrib.admin.widgets import ForeignKeyRawIdWidget
    from django.utils.html import escape

    from partnerships.admin.inlines import CommitmentInline

    for _ in range(30):
        OrganizationFactory()
    people = [officer, *(UserFactory(staff=True, organization=kitb, email=f"owner{i}@kitb.example") for i in range(4))]
    for person in people:
        CommitmentFactory(mou=mou_a, responsible_organization=technopark, responsible_user=person)
    url = reverse("admin:partnerships_mou_change", args=[mou_a.pk])
    _n, sql, response = count_queries(staff_client.get, url)
    body = response.content.decode()
    assert body.count(f'<option value="{technopark.pk}" selected>') == 1 + len(people)  # the party and each commitment
    assert body.count("<option") < 60  # no list of every organisation
    assert 'data-ajax--url="/admin/autocomplete/"' in body
    assert sum('FROM "accounts_user"' in q and "IN (" in q for q in sql) == 1  # the five responsible people at once
    assert sum('FROM "accounts_organization"' in q for q in sql) <= 2  # the parties', the commitments'
    field = Commitment._meta.get_field("responsible_user")
    djangos = ForeignKeyRawIdWidget(field.remote_field, CommitmentInline(MoU, admin.site).admin_site)
    for person in people:
        label, link = djangos.label_and_url_for_value(person.pk)
        assert f'<strong><a href="{link}">{escape(label)}</a></strong>' in body


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["mouparty.organization", "commitment.responsible_organization"])
def test_a_partnerships_officer_can_search_the_organisations_of_the_change_page(client, kitb, technopark, field):
    from django.contrib.auth.models import Group

    from kitb_portal.accounts.roles import PARTNERSHIPS_OFFICER

    officer = UserFactory(staff=True, organization=kitb, email="po@kitb.example")
    officer.groups.add(Group.objects.get(name=PARTNERSHIPS_OFFICER))
    client.force_login(officer)
    model_name, field_name = field.split(".")
    response = client.get("/admin/autocomplete/", {"app_label": "partnerships", "model_name": model_name,
                                                   "field_name": field_name, "term": technopark.name[:6]})
    assert response.status_code == 200
    assert str(technopark.pk) in [r["id"] for r in response.json()["results"]]
