"""Time the annual review pack: one MoU's pack as HTML and as PDF, and the programme-wide pack.

    python manage.py review_pack_timing [--year 2025] [--mou ID] [--language ko] [--screenshots DIR]
                                        [--link-applications]

Picks the MoU with the most events held in the year unless ``--mou`` is given. ``--screenshots``
writes the first page of the MoU's PDF in Korean and Indonesian as PNG (needs Debian's
``poppler-utils``: ``pdftoppm``). ``--link-applications`` (benchmark data only) first links each
application without an MoU to an MoU its referrer is party to, so the tenants section has rows.
Targets: HTML < 2 s, PDF < 10 s, programme < 60 s at scale 100. Nothing is stored.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone, translation

from kitb_portal.reports import render
from kitb_portal.reports import services as reports
from partnerships.models import MoU
from partnerships.services.reviews import pack_context, pack_titles

LIMITS = {"html": 2.0, "pdf": 10.0, "programme": 60.0}


class Command(BaseCommand):
    help = "Time the annual review pack (HTML and PDF of one MoU, the programme-wide pack)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--mou", type=int, default=None)
        parser.add_argument("--language", default="en", choices=["id", "ko", "en"])
        parser.add_argument("--screenshots", default="")
        parser.add_argument("--link-applications", action="store_true")
        parser.add_argument("--skip-programme", action="store_true")

    def handle(self, *args, year, mou, language, screenshots, link_applications, skip_programme, **options):
        from events.models import Event

        year = year or timezone.localdate().year - 1
        if link_applications:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE tenants_application a SET mou_id = p.mou_id FROM ("
                    " SELECT DISTINCT ON (organization_id) organization_id, mou_id FROM partnerships_mouparty"
                    " ORDER BY organization_id, mou_id) p WHERE a.mou_id IS NULL AND p.organization_id = a.referrer_id"
                )
                self.stdout.write(f"linked {cursor.rowcount} applications to an MoU of their referrer")
        if mou:
            subject = MoU.objects.filter(pk=mou).first()
        else:
            subject = (MoU.objects.annotate(n=Count("events", filter=Q(events__start__year=year)))
                       .order_by("-n", "pk").first())
        if subject is None:
            raise CommandError("No MoU to time.")
        results = {}
        with translation.override(language):
            ctx = pack_context(mou=subject, year=year, period_kind="calendar")
            title, subtitle = pack_titles(subject, year, "calendar")
            started = time.monotonic()
            rendered = reports.build_html(ctx, language=language, title=title, subtitle=subtitle, narrative=None)
            results["html"] = time.monotonic() - started
            started = time.monotonic()
            pdf = render.render_pdf(rendered.html, title=title(), language=language)
            results["pdf"] = time.monotonic() - started + results["html"]
            if not skip_programme:
                started = time.monotonic()
                pctx = pack_context(mou=None, year=year, period_kind="calendar")
                ptitle, psubtitle = pack_titles(None, year, "calendar")
                prog = reports.build_html(pctx, language=language, title=ptitle, subtitle=psubtitle, narrative=None)
                render.render_pdf(prog.html, title=ptitle(), language=language)
                render.render_xlsx(prog.pack, title=ptitle(), language=language)
                results["programme"] = time.monotonic() - started
                results["programme_mous"] = len(pctx.mou_ids)
        held = Event.objects.filter(mou=subject, start__year=year).count()
        self.stdout.write(f"MoU {subject.reference} (#{subject.pk}), {year}: {held} events in the year, "
                          f"{len(pdf) // 1024} KiB PDF")
        for key in ("html", "pdf", "programme"):
            if key in results:
                verdict = "ok" if results[key] < LIMITS[key] else "SLOW"
                extra = f" ({results['programme_mous']} MoUs)" if key == "programme" else ""
                self.stdout.write(f"{key:10s} {results[key]:7.2f} s  (limit {LIMITS[key]:.0f} s) {verdict}{extra}")
        if screenshots:
            self._screenshots(subject, year, Path(screenshots))

    def _screenshots(self, subject, year, folder: Path) -> None:
        if shutil.which("pdftoppm") is None:
            raise CommandError("pdftoppm is missing (Debian's poppler-utils).")
        folder.mkdir(parents=True, exist_ok=True)
        for language in ("ko", "id"):
            with translation.override(language):
                ctx = pack_context(mou=subject, year=year, period_kind="calendar")
                title, subtitle = pack_titles(subject, year, "calendar")
                rendered = reports.build_html(ctx, language=language, title=title, subtitle=subtitle,
                                              narrative=reports.narratives_for(subject="mou", subject_id=subject.pk,
                                                                               period_kind="calendar", year=year).get(language))
                pdf = render.render_pdf(rendered.html, title=title(), language=language)
            with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
                fh.write(pdf)
                fh.flush()
                stem = folder / f"review-pack-{language}"
                for page in (1, 2):
                    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", fh.name,
                                    f"{stem}-p{page}"], check=True)
            self.stdout.write(f"wrote {stem}-p1.png, {stem}-p2.png")
