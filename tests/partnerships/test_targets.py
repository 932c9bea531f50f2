"""Targets on MoUs: validation, the admin inline (through the service, with history), the referrer's
MoU on applications, the review reminders sweep (idempotent keys) and the digest's targets behind."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kitb_portal.notifications.models import OutboxMessage
from partnerships import services
from partnerships.models import MoU, MoUTarget
from partnerships.targets import period_bounds
from tenants.models import Application

pytestmark = pytest.mark.django_db


def _activate(mou):
    MoU.objects.filter(pk=mou.pk).update(status="active", signed_date=dt.date(2024, 2, 29), effective_date=dt.date(2024, 2, 29),
                                         expiry_date=dt.date(2029, 2, 27))
    mou.refresh_from_db()
    return mou


def test_targets_are_validated(mou_a, officer):
    with pytest.raises(ValidationError) as exc:
        services.target_create(actor=officer, mou_id=mou_a.pk, kind="manual", year=2025, target_value=1)
    assert "description" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.target_create(actor=officer, mou_id=mou_a.pk, kind="jobs", year=2025, target_value=1, country="KR")
    assert "country" in exc.value.message_dict
    target = services.target_create(actor=officer, mou_id=mou_a.pk, kind="partner_attendees", year=2025, target_value=40,
                                    country="kr")
    assert target.country == "KR" and target.history.first().history_user == officer


def test_a_partner_cannot_set_targets(mou_a, partner_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.target_create(actor=partner_a, mou_id=mou_a.pk, kind="jobs", year=2025, target_value=1)


def test_anniversary_periods_follow_the_effective_date(mou_a):
    mou = _activate(mou_a)
    assert period_bounds(mou, "anniversary", 2025) == (dt.date(2025, 2, 28), dt.date(2026, 2, 27))
    assert period_bounds(mou, "calendar", 2025) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_the_admin_inline_saves_targets_through_the_service(mou_a, officer, client):
    client.force_login(officer)
    url = reverse("admin:partnerships_mou_change", args=[mou_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"targets-TOTAL_FORMS" in page.content
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dict))}
    data.update({"reference": mou_a.reference, "title_en": mou_a.title_en, "renewal_notice_days": 90, "term_number": 1})
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-TOTAL_FORMS": fs.initial_form_count(), f"{fs.prefix}-INITIAL_FORMS": fs.initial_form_count(),
                     f"{fs.prefix}-MIN_NUM_FORMS": 0, f"{fs.prefix}-MAX_NUM_FORMS": 1000})
        for i, f in enumerate(fs.forms[: fs.initial_form_count()]):
            data[f"{fs.prefix}-{i}-id"] = f.instance.pk
            for name in f.fields:
                value = f.initial.get(name)
                if value is not None:
                    data[f"{fs.prefix}-{i}-{name}"] = getattr(value, "pk", value)
    prefix = "targets"
    data.update({f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-0-year": 2025, f"{prefix}-0-period_kind": "calendar",
                 f"{prefix}-0-kind": "events_held", f"{prefix}-0-event_kind": "seminar", f"{prefix}-0-target_value": "3",
                 f"{prefix}-0-mou": mou_a.pk})
    data = {k: v for k, v in data.items() if not k.startswith("notes-0")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and (
        response.context["adminform"].form.errors, [f.formset.errors for f in response.context["inline_admin_formsets"]])
    target = MoUTarget.objects.get(mou=mou_a)
    assert target.event_kind == "seminar" and target.history.first().history_change_reason == "target set"


def test_an_application_is_referred_only_under_an_mou_of_its_referrer(mou_a, province, technopark, partner_a):
    from tenants.services import application_create

    mou_b = MoU.objects.create(reference="OTHER/1", title_en="Other")
    from partnerships.models import MoUParty

    MoUParty.objects.create(mou=mou_b, organization=province)
    with pytest.raises(ValidationError):
        application_create(actor=partner_a, data={"company_name": "Cells Co.", "company_country": "KR", "mou": mou_b})
    app = application_create(actor=partner_a, data={"company_name": "Cells Co.", "company_country": "KR", "mou": mou_a})
    assert Application.objects.get(pk=app.pk).mou_id == mou_a.pk


def test_the_reminder_to_prepare_the_pack_is_sent_once_30_days_before_the_period_ends(mou_a, officer):
    _activate(mou_a)
    MoUTarget.objects.create(mou=mou_a, year=2025, kind="events_held", target_value=3)
    assert services.review_reminders_sweep(today=dt.date(2025, 11, 30))["reminded"] == 0  # 31 days before
    assert services.review_reminders_sweep(today=dt.date(2025, 12, 1))["reminded"] == 1
    assert services.review_reminders_sweep(today=dt.date(2025, 12, 2))["reminded"] == 0  # same key
    message = OutboxMessage.objects.get(kind="review_pack")
    assert message.key == f"review-pack-reminder:{mou_a.pk}:calendar:2025:{officer.pk}"
    target = MoUTarget.objects.get(mou=mou_a)
    assert target.last_status == "behind" and target.last_actual == 0 and target.evaluated_on == dt.date(2025, 12, 2)


def test_the_digest_lists_targets_behind(mou_a, officer, partner_a):
    from django.utils import timezone

    from kitb_portal.notifications import digest as digest_module
    from partnerships.digest import section

    _activate(mou_a)
    year = timezone.localdate().year
    MoUTarget.objects.create(mou=mou_a, year=year, kind="jobs", target_value=Decimal(300), last_status="behind",
                             last_actual=Decimal(20), evaluated_on=timezone.localdate())
    now = timezone.now()
    since = {officer.pk: now - dt.timedelta(days=1), partner_a.pk: now - dt.timedelta(days=1)}
    result = section([officer, partner_a], since, now)
    for user in (officer, partner_a):
        groups = {str(g.title): g for g in result[user.pk].groups}
        items = groups["MoU targets behind"].items
        assert len(items) == 1 and "KITB/A/1" in str(items[0].text) and "20" in str(items[0].detail)
    assert digest_module is not None
