"""factory_boy factories and small builders for the partnerships tests."""
from __future__ import annotations

import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from kitb_portal.common.pdf import simple_pdf
from partnerships.models import Commitment, MoU, MoUParty
from tests.factories import OrganizationFactory

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)


def pdf_upload(name: str = "mou.pdf", text: str = "Memorandum of Understanding") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, simple_pdf([text], title=text), content_type="application/pdf")


def png_renamed_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="application/pdf")


class MoUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoU

    reference = factory.Sequence(lambda n: f"TEST/MOU/{n:04d}")
    title_en = factory.Sequence(lambda n: f"Test MoU {n}")
    title_ko = factory.Sequence(lambda n: f"시험 업무협약 {n}")
    title_id = factory.Sequence(lambda n: f"Nota Kesepahaman Uji {n}")
    scope = factory.LazyFunction(lambda: ["events"])
    status = MoU.Status.DRAFT

    class Params:
        active = factory.Trait(
            status=MoU.Status.ACTIVE, signed_date=dt.date(2025, 1, 10), effective_date=dt.date(2025, 1, 10),
            expiry_date=dt.date(2028, 1, 9),
        )


class MoUPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoUParty

    mou = factory.SubFactory(MoUFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MoUParty.Role.SECOND_PARTY


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    mou = factory.SubFactory(MoUFactory)
    description = factory.Sequence(lambda n: f"Commitment {n}")
    responsible_organization = factory.SubFactory(OrganizationFactory)
    status = Commitment.Status.OPEN


def mou_with_parties(*orgs, owner=None, **kwargs) -> MoU:
    """An MoU (factory defaults, draft) whose parties are ``orgs``; the first is the first party."""
    mou = MoUFactory(owner=owner, **kwargs)
    for i, org in enumerate(orgs):
        MoUPartyFactory(mou=mou, organization=org, role=MoUParty.Role.FIRST_PARTY if i == 0 else MoUParty.Role.SECOND_PARTY)
    return mou
