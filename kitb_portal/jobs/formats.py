"""Reading an uploaded CSV/XLSX into a tablib Dataset, and writing an export row by row.

Reading uses django-import-export's own formats (the same parsing as the admin's import page).
Writing streams: a CSV writer, or an openpyxl write-only workbook, so a large export never holds
the whole table in memory. Cells that a spreadsheet would run as a formula are written as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import JobFormat

CONTENT_TYPES = {
    JobFormat.CSV: "text/csv; charset=utf-8",
    JobFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A text cell starting with one of these is a formula to Excel/LibreOffice (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def import_format(file_format: str):
    from import_export.formats.base_formats import CSV, XLSX

    return {JobFormat.CSV: CSV, JobFormat.XLSX: XLSX}[file_format]()


def read_dataset(data: bytes, file_format: str):
    """Parse the uploaded bytes; ValidationError (saying what to fix) if the file cannot be read."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    fmt = import_format(file_format)
    if file_format == JobFormat.CSV:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."), code="encoding"
            ) from None
        source = text
    else:
        source = data
    try:
        dataset = fmt.create_dataset(source)
    except Exception:  # noqa: BLE001 - tablib/openpyxl raise many kinds; the message says what to do
        raise ValidationError(
            _("The file could not be read as %(format)s. Check that the format you chose matches the file.")
            % {"format": file_format.upper()},
            code="unreadable",
        ) from None
    if not dataset.headers or not any(h not in (None, "") for h in dataset.headers):
        raise ValidationError(_("The file has no header row."), code="no_headers")
    if len(dataset) == 0:
        raise ValidationError(_("The file has a header row but no data rows."), code="no_rows")
    return dataset


def _neutralise(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES):
        # A number such as -12.5 or +62 812 is data, not a formula.
        stripped = value.replace(" ", "")
        if value[0] in "+-" and stripped[1:].replace(".", "", 1).replace(",", "").isdigit():
            return value
        return "'" + value
    return value


class CSVWriter:
    """UTF-8 with a byte-order mark (Excel then reads Korean and Indonesian text correctly)."""

    native_types = False

    def __init__(self, fh):
        self._text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text)

    def writerow(self, values) -> None:
        self._writer.writerow([_neutralise(v) if isinstance(v, str) else ("" if v is None else v) for v in values])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()


class XLSXWriter:
    native_types = True

    def __init__(self, fh, title: str = "Export"):
        from openpyxl import Workbook

        self._fh = fh
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=title[:31] or "Export")

    def _cell(self, value):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            return value
        if isinstance(value, (int, float, Decimal, dt.date, dt.time, bool)) or value is None:
            return value
        text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", str(value))
        cell = WriteOnlyCell(self._sheet, value=text)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def writerow(self, values) -> None:
        self._sheet.append([self._cell(v) for v in values])

    def close(self) -> None:
        self._book.save(self._fh)


def writer_for(file_format: str, fh, title: str = "Export"):
    return CSVWriter(fh) if file_format == JobFormat.CSV else XLSXWriter(fh, title=title)
