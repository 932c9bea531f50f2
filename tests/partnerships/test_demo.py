"""The demo seed: the KITB–Chungbuk Technopark MoU with a real signed PDF, and the province-only MoU."""
import io

import pytest
from pypdf import PdfReader

from kitb_portal.accounts import demo as accounts_demo
from partnerships import demo, selectors
from partnerships.models import Commitment, DocumentKind, MoU, MoUDocument, MoUStatus
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def demo_world(db):
    kitb = OrganizationFactory(host=True)
    technopark = OrganizationFactory(name=accounts_demo.TECHNOPARK, kind="technopark", country="KR")
    province = OrganizationFactory(name=accounts_demo.PROVINCE, kind="government", country="KR")
    email = accounts_demo.DEMO_USERS["partnerships-officer"][0]
    officer = UserFactory(staff=True, is_superuser=True, organization=kitb, email=email, full_name="Budi Santoso")
    return {
        "officer": officer,
        "technopark_user": UserFactory(organization=technopark, email="partner@cbtp.demo", preferred_language="ko"),
        "province_user": UserFactory(organization=province, email="partner@chungbuk.demo", preferred_language="ko"),
    }


def test_seed_says_so_and_does_nothing_without_the_demo_organisations(db):
    out = io.StringIO()
    demo.seed(out)
    assert "nothing seeded" in out.getvalue() and MoU.objects.count() == 0


def test_seed_creates_both_mous_through_services_and_is_idempotent(demo_world):
    out = io.StringIO()
    demo.seed(out)
    main = MoU.objects.get(reference=demo.MOU_MAIN)
    assert main.status == MoUStatus.ACTIVE and main.owner == demo_world["officer"]
    assert {p.organization.name for p in main.parties.all()} == {
        accounts_demo.KITB, accounts_demo.TECHNOPARK, accounts_demo.PROVINCE}
    assert set(main.scope) == {"events", "internationalisation", "msme", "investment"}
    signed = main.documents.get(kind=DocumentKind.SIGNED_COPY)
    reader = PdfReader(signed.file.path)
    assert len(reader.pages) == 1 and "SIGNED COPY" in reader.pages[0].extract_text()
    assert main.commitments.count() == 4 and main.commitments.filter(status="done").count() == 1
    assert main.history.filter(history_user=demo_world["officer"]).count() >= 4  # made through services
    second = MoU.objects.get(reference=demo.MOU_PROVINCE)
    assert second.status == MoUStatus.NEGOTIATION and second.parties.count() == 2

    counts = (MoU.objects.count(), MoUDocument.objects.count(), Commitment.objects.count())
    demo.seed(io.StringIO())
    assert (MoU.objects.count(), MoUDocument.objects.count(), Commitment.objects.count()) == counts == (2, 3, 5)

    technopark_sees = set(selectors.mou_list_for(demo_world["technopark_user"]).values_list("reference", flat=True))
    province_sees = set(selectors.mou_list_for(demo_world["province_user"]).values_list("reference", flat=True))
    assert technopark_sees == {demo.MOU_MAIN}
    assert province_sees == {demo.MOU_MAIN, demo.MOU_PROVINCE}
