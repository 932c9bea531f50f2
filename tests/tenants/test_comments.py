"""Comments: internal ones never reach the portal or a partner e-mail; shared ones do."""
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kitb_portal.notifications.models import OutboxMessage
from tenants import services
from tenants.models import ApplicationComment
from tests.factories import UserFactory


@pytest.fixture
def submitted_a(draft_a, partner_a, kitb_admin):
    services.application_submit(application_id=draft_a.pk, actor=partner_a)
    services.application_start_screening(application_id=draft_a.pk, actor=kitb_admin)
    OutboxMessage.objects.all().delete()
    return draft_a


@pytest.mark.django_db
def test_internal_comment_is_e_mailed_to_nobody_and_hidden_from_the_portal(submitted_a, kitb_admin, client_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(application_id=submitted_a.pk, actor=kitb_admin, body="Internal: budget looks thin", visibility="internal")
    assert not OutboxMessage.objects.exists() and mail.outbox == []
    assert "budget looks thin" not in client_a.get(f"/portal/applications/{submitted_a.pk}/").content.decode()


@pytest.mark.django_db
def test_shared_comment_reaches_every_active_partner_user_of_the_referrer_only(
    submitted_a, kitb_admin, partner_a, partner_b, technopark, client_a, django_capture_on_commit_callbacks,
):
    colleague = UserFactory(organization=technopark, email="colleague@technopark.example", preferred_language="ko")
    services.comment_add(application_id=submitted_a.pk, actor=kitb_admin, body="Internal: do not share", visibility="internal")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(application_id=submitted_a.pk, actor=kitb_admin, body="Please send the 2024 accounts.", visibility="shared")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_a.email, colleague.email])
    for message in mail.outbox:
        assert "Please send the 2024 accounts." in message.body and "do not share" not in message.body
        assert kitb_admin.full_name not in message.body  # staff speak as "KITB"
    assert OutboxMessage.objects.get(to_email=colleague.email).language == "ko"
    page = client_a.get(f"/portal/applications/{submitted_a.pk}/").content.decode()
    assert "Please send the 2024 accounts." in page and "do not share" not in page and kitb_admin.full_name not in page


@pytest.mark.django_db
def test_reviewers_comment_internally_only(submitted_a, reviewer1):
    with pytest.raises(PermissionDenied):
        services.comment_add(application_id=submitted_a.pk, actor=reviewer1, body="Shared?", visibility="shared")
    comment = services.comment_add(application_id=submitted_a.pk, actor=reviewer1, body="Internal note")
    assert comment.visibility == "internal"


@pytest.mark.django_db
def test_a_partner_comment_is_always_shared_and_other_partners_cannot_comment(submitted_a, partner_a, partner_b):
    comment = services.comment_add(application_id=submitted_a.pk, actor=partner_a, body="Answer", visibility="internal")
    assert comment.visibility == "shared"
    with pytest.raises(PermissionDenied):
        services.comment_add(application_id=submitted_a.pk, actor=partner_b, body="Intrusion")
    with pytest.raises(ValidationError):
        services.comment_add(application_id=submitted_a.pk, actor=partner_a, body="  ")
    assert ApplicationComment.objects.count() == 1


@pytest.mark.django_db
def test_status_e_mails_to_partners_never_carry_internal_comments(submitted_a, kitb_admin, reviewer1, partner_a, django_capture_on_commit_callbacks):
    services.comment_add(application_id=submitted_a.pk, actor=reviewer1, body="SECRET-INTERNAL-NOTE")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_start_due_diligence(application_id=submitted_a.pk, actor=kitb_admin)
    assert mail.outbox and all("SECRET-INTERNAL-NOTE" not in m.body + str(m.alternatives) for m in mail.outbox)
    assert not OutboxMessage.objects.filter(body_text__contains="SECRET-INTERNAL-NOTE").exists()
    assert not OutboxMessage.objects.filter(body_html__contains="SECRET-INTERNAL-NOTE").exists()
