"""Portal pages of the annual review pack (/portal/mous/<pk>/review/...): the frozen versions of an
MoU's pack, their files, and the parties' sign-off. A partner sees only the packs of MoUs their
organisation is party to: anything else is 404, as for a pack that does not exist."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kitb_portal.common.downloads import attachment_response
from kitb_portal.reports import services as reports
from kitb_portal.reports.models import FileFormat, PackLanguage, SignOffDecision

from . import selectors, services


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Your answer"), choices=SignOffDecision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=5000, help_text=gettext_lazy("Required when you ask for changes."))


def _language(request) -> str:
    lang = (get_language() or "en")[:2]
    return lang if lang in PackLanguage.values else "en"


@login_required
@require_GET
def review_list(request, pk: int):
    mou, versions = selectors.review_versions_for(request.user, pk)
    return render(request, "partnerships/review_list.html", {"mou": mou, "versions": list(versions)})


@login_required
@require_GET
def review_version(request, pk: int, version_id: int):
    mou, version = selectors.review_version_get_for(request.user, mou_id=pk, version_id=version_id)
    language = _language(request)
    data = reports.verified_bytes(version, FileFormat.HTML, language)
    if data is None:
        raise Http404("The file is missing.")
    body = data.decode("utf-8")
    party = next((p for p in mou.parties.select_related("organization") if p.organization_id == request.user.organization_id), None) \
        if request.user.organization_id and not request.user.is_staff else None
    current = reports.is_current(version)
    sign_offs = list(version.sign_offs.all())
    mine = next((s for s in sign_offs if party and s.organization_id == party.organization_id), None)
    return render(request, "partnerships/review_version.html", {
        "mou": mou, "version": version, "body": mark_safe(body),  # our own frozen rendering (escaped when made)
        "files": sorted(version.files.all(), key=lambda f: (f.file_format, f.language)),
        "sign_offs": sign_offs, "is_current": current, "party": party, "mine": mine,
        "form": SignOffForm() if party and current else None,
    })


@login_required
@require_GET
def review_download(request, pk: int, version_id: int, file_format: str, language: str):
    mou, version = selectors.review_version_get_for(request.user, mou_id=pk, version_id=version_id)
    data = reports.verified_bytes(version, file_format, language)
    if data is None:
        raise Http404("The file is missing.")
    name = f"review-{mou.reference.replace('/', '-')}-{version.year}-v{version.number}-{language}.{file_format}"
    return attachment_response(data, name, reports.CONTENT_TYPES[file_format])


@login_required
@require_POST
def review_sign_off(request, pk: int, version_id: int):
    mou, version = selectors.review_version_get_for(request.user, mou_id=pk, version_id=version_id)
    url = reverse("partnerships:review_version", args=[mou.pk, version.pk])
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “approve” or “request changes”."))
        return redirect(url)
    try:
        services.review_pack_sign_off(actor=request.user, version_id=version.pk, decision=form.cleaned_data["decision"],
                                      comment=form.cleaned_data["comment"])
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not answer for this MoU."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your answer on version %(v)s was recorded.") % {"v": version.number})
    return redirect(url)
