"""State changes of the review packs' own records: narratives, frozen versions, sign-offs.

The app that owns a pack's subject (partnerships, for an MoU and for the programme) checks who may
act and calls these; they never decide permissions about a subject they cannot see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import render
from .compose import Pack, ReviewContext, compose
from .models import (
    FileFormat,
    PackLanguage,
    ReviewNarrative,
    ReviewPackFile,
    ReviewPackSignOff,
    ReviewPackVersion,
    SignOffDecision,
)

LANGUAGES = ("id", "ko", "en")


def _attributed(obj, *, actor, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason
    obj.save()


@transaction.atomic
def review_narrative_save(
    *, actor, subject: str, subject_id: int, period_kind: str, year: int, language: str, summary: str, next_plan: str,
) -> ReviewNarrative:
    narrative = (
        ReviewNarrative.objects.select_for_update()
        .filter(subject=subject, subject_id=subject_id, period_kind=period_kind, year=year, language=language).first()
        or ReviewNarrative(subject=subject, subject_id=subject_id, period_kind=period_kind, year=year, language=language)
    )
    narrative.summary, narrative.next_plan, narrative.written_by = (summary or "").strip(), (next_plan or "").strip(), actor
    narrative.full_clean()
    _attributed(narrative, actor=actor, reason="narrative written")
    return narrative


def narratives_for(*, subject: str, subject_id: int, period_kind: str, year: int) -> dict[str, dict]:
    """{language: {"summary", "next_plan"}} (one query)."""
    return {
        n.language: {"summary": n.summary, "next_plan": n.next_plan}
        for n in ReviewNarrative.objects.filter(subject=subject, subject_id=subject_id, period_kind=period_kind, year=year)
    }


@dataclass
class Rendered:
    language: str
    pack: Pack
    html: str


def build_html(ctx: ReviewContext, *, language: str, title: Callable[[], str], subtitle: Callable[[], str],
               narrative: dict | None, version_label: str = "", on_step=None) -> Rendered:
    """Compose and render the pack in ``language`` (titles are callables, evaluated in that language)."""
    with translation.override(language):
        pack = compose(ctx, on_step=on_step)
        html = render.render_html(pack, title=title(), subtitle=subtitle(), narrative=narrative, language=language,
                                  version_label=version_label)
    return Rendered(language, pack, html)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def latest_version_number(*, subject: str, subject_id: int, period_kind: str, year: int) -> int:
    return ReviewPackVersion.objects.filter(
        subject=subject, subject_id=subject_id, period_kind=period_kind, year=year,
    ).aggregate(n=Max("number"))["n"] or 0


def version_freeze(
    *, actor, subject: str, subject_id: int, ctx: ReviewContext, title: Callable[[], str], subtitle: Callable[[], str],
    languages=LANGUAGES, step=None,
) -> ReviewPackVersion:
    """Build the pack in every language (HTML, PDF, XLSX) and store it as the next version, frozen.

    The files are written before the row that lists them commits; a failure leaves no version. The
    version number is taken under a lock on the previous versions, so two builds never share one.
    ``step()`` is called after each part (the job's progress bar).
    """
    step = step or (lambda: None)
    narratives = narratives_for(subject=subject, subject_id=subject_id, period_kind=ctx.period_kind, year=ctx.year)
    outputs: list[tuple[str, str, bytes]] = []
    measures: dict = {}
    for language in languages:
        with translation.override(language):
            label = _("Version generated on %(date)s") % {"date": timezone.localdate().isoformat()}
        rendered = build_html(ctx, language=language, title=title, subtitle=subtitle, narrative=narratives.get(language),
                              version_label=label)
        step()
        with translation.override(language):
            pdf = render.render_pdf(rendered.html, title=title(), language=language)
        step()
        xlsx = render.render_xlsx(rendered.pack, title=title(), language=language)
        outputs += [(FileFormat.HTML, language, rendered.html.encode("utf-8")), (FileFormat.PDF, language, pdf),
                    (FileFormat.XLSX, language, xlsx)]
        measures = {str(k): {key: (str(v) if v is not None else None) for key, v in values.items()}
                    for k, values in rendered.pack.measures.items()}
    with transaction.atomic():
        list(ReviewPackVersion.objects.select_for_update().filter(
            subject=subject, subject_id=subject_id, period_kind=ctx.period_kind, year=ctx.year).values_list("pk", flat=True))
        number = latest_version_number(subject=subject, subject_id=subject_id, period_kind=ctx.period_kind, year=ctx.year) + 1
        version = ReviewPackVersion(
            subject=subject, subject_id=subject_id, title=title()[:400], period_kind=ctx.period_kind, year=ctx.year,
            period_start=ctx.period_start, period_end=ctx.period_end, as_of=ctx.as_of, number=number, measures=measures,
            created_by=actor,
        )
        version.full_clean()
        _attributed(version, actor=actor, reason=f"version {number} generated")
        stored: list[str] = []
        try:
            for file_format, language, data in outputs:
                f = ReviewPackFile(version=version, file_format=file_format, language=language, size=len(data), sha256=_sha(data))
                f.file.save(f"pack.{file_format}", ContentFile(data), save=False)
                stored.append(f.file.name)
                f.save()
        except Exception:
            for name in stored:
                ReviewPackFile.file.field.storage.delete(name)
            raise
    step()
    return version


def file_of(version: ReviewPackVersion, file_format: str, language: str) -> ReviewPackFile | None:
    return next((f for f in version.files.all() if f.file_format == file_format and f.language == language), None)


def read_verified(pack_file: ReviewPackFile) -> bytes:
    """The file's bytes, refused if they no longer match the SHA-256 recorded when it was frozen."""
    with pack_file.file.open("rb") as fh:
        data = fh.read()
    if _sha(data) != pack_file.sha256:
        raise ValidationError(_("This file of the review pack was altered after it was frozen."))
    return data


CONTENT_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.HTML: "text/html; charset=utf-8",
}


def verified_bytes(version: ReviewPackVersion, file_format: str, language: str) -> bytes | None:
    """The bytes of the version's file in ``file_format`` and ``language``, or None when there is no
    such file, it is missing from the storage, or it was altered after it was frozen (the views
    answer 404 to all three)."""
    if file_format not in FileFormat.values or language not in PackLanguage.values:
        return None
    pack_file = file_of(version, file_format, language)
    if pack_file is None:
        return None
    try:
        return read_verified(pack_file)
    except (OSError, ValidationError):  # FileNotFoundError is an OSError
        return None


def is_current(version: ReviewPackVersion) -> bool:
    return version.number == latest_version_number(
        subject=version.subject, subject_id=version.subject_id, period_kind=version.period_kind, year=version.year,
    )


@transaction.atomic
def sign_off_record(*, actor, version_id: int, organization, decision: str, comment: str = "") -> ReviewPackSignOff:
    """Record ``organization``'s answer to a version (the caller checked it is a party). Only the
    current (latest) version of its pack can be signed off."""
    version = ReviewPackVersion.objects.select_for_update().get(pk=version_id)
    if not is_current(version):
        raise ValidationError(
            _("Version %(v)s is no longer the current version of this pack; please review the latest version.") % {"v": version.number}
        )
    if decision not in SignOffDecision.values:
        raise ValidationError(_("Choose “approve” or “request changes”."))
    comment = (comment or "").strip()
    if decision == SignOffDecision.CHANGES_REQUESTED and not comment:
        raise ValidationError({"comment": _("Say which changes you ask for.")})
    sign_off = ReviewPackSignOff.objects.filter(version=version, organization=organization).first() or ReviewPackSignOff(
        version=version, organization=organization,
    )
    sign_off.decision, sign_off.comment, sign_off.decided_by, sign_off.decided_at = decision, comment, actor, timezone.now()
    _attributed(sign_off, actor=actor, reason=decision)
    return sign_off


__all__ = ["PackLanguage", "LANGUAGES"]
