"""Reading an uploaded CSV/XLSX into a tablib Dataset, and writing an export row by row.

Reading uses django-import-export's own formats (the same parsing as the admin's import page).
Writing streams: a CSV writer, or an openpyxl write-only workbook, so a large export never holds
the whole table in memory.

Every export (background job, the admin's inline export, the events admin's own export view and
actions) passes its text cells through ``neutralise_formula`` (one rule, here): a text starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return, which a spreadsheet would run as a formula
(CSV/formula injection), gets a leading single quote. Numbers stay numbers: ints, decimals and dates
are never touched, nor is a text that is only a signed number (``-12.5``, ``+62 812 555``).

Reading refuses, before parsing, an XLSX whose zip members would inflate beyond
``JOBS_MAX_XLSX_UNCOMPRESSED_MB`` or whose sheet has more than ``JOBS_MAX_IMPORT_ROWS`` rows (zip bombs),
and ``check_upload_size`` refuses a file over ``JOBS_MAX_IMPORT_MB`` from its size alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.conf import settings
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


# Defaults of the import limits (settings JOBS_* override them).
DEFAULT_MAX_IMPORT_MB = 50
DEFAULT_MAX_IMPORT_ROWS = 200_000
DEFAULT_MAX_XLSX_UNCOMPRESSED_MB = 200
MB = 1024 * 1024


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_upload_size(uploaded_file) -> None:
    """Refuse a file over ``JOBS_MAX_IMPORT_MB`` from its size alone, before anything reads it."""
    limit_mb = _limit("JOBS_MAX_IMPORT_MB", DEFAULT_MAX_IMPORT_MB)
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit_mb * MB:
        raise ValidationError(
            _("The file is %(size).1f MB; the largest accepted is %(max)d MB.") % {"size": size / MB, "max": limit_mb},
            code="too_large",
        )


def _too_many_rows(limit: int) -> ValidationError:
    return ValidationError(
        _("The file has more than %(max)d rows, the most one import accepts. Split it into smaller files.") % {"max": limit},
        code="too_many_rows",
    )


def check_xlsx(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl or tablib load it: the zip's members must not unpack to
    more than ``JOBS_MAX_XLSX_UNCOMPRESSED_MB`` (zipfile never inflates a member beyond the size its
    header declares, so the declared sizes bound what loading can cost), and the first sheet,
    counted row by row in openpyxl's streaming read-only mode, must not pass ``JOBS_MAX_IMPORT_ROWS``
    (counting stops at the limit)."""
    unreadable = ValidationError(
        _("The file could not be read as %(format)s. Check that the format you chose matches the file.") % {"format": "XLSX"},
        code="unreadable",
    )
    max_mb = _limit("JOBS_MAX_XLSX_UNCOMPRESSED_MB", DEFAULT_MAX_XLSX_UNCOMPRESSED_MB)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise unreadable from None
    if unpacked > max_mb * MB:
        raise ValidationError(
            _("The XLSX file would unpack to %(size)d MB; the largest accepted is %(max)d MB. Split it into smaller files.")
            % {"size": unpacked // MB, "max": max_mb},
            code="too_large_unpacked",
        )
    max_rows = _limit("JOBS_MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds; the message says what to do
        raise unreadable from None
    try:
        sheet = book.active
        for number, _row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > max_rows + 1:  # the header row and max_rows data rows
                raise _too_many_rows(max_rows)
    except ValidationError:
        raise
    except Exception:
        raise unreadable from None
    finally:
        book.close()


def read_dataset(data: bytes, file_format: str):
    """Parse the uploaded bytes; ValidationError (saying what to fix) if the file cannot be read,
    or is larger than the import limits (checked before the file is parsed)."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > _limit("JOBS_MAX_IMPORT_MB", DEFAULT_MAX_IMPORT_MB) * MB:
        check_upload_size(SimpleSize(len(data)))
    if file_format == JobFormat.XLSX:
        check_xlsx(data)
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
    except Exception:  # tablib/openpyxl raise many kinds; the message says what to do
        raise ValidationError(
            _("The file could not be read as %(format)s. Check that the format you chose matches the file.")
            % {"format": file_format.upper()},
            code="unreadable",
        ) from None
    if not dataset.headers or not any(h not in (None, "") for h in dataset.headers):
        raise ValidationError(_("The file has no header row."), code="no_headers")
    if len(dataset) == 0:
        raise ValidationError(_("The file has a header row but no data rows."), code="no_rows")
    if len(dataset) > _limit("JOBS_MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS):
        raise _too_many_rows(_limit("JOBS_MAX_IMPORT_ROWS", DEFAULT_MAX_IMPORT_ROWS))
    return dataset


class SimpleSize:
    """Something with a ``size``, for ``check_upload_size`` on bytes already in hand."""

    def __init__(self, size: int):
        self.size = size


def neutralise_formula(value):
    """The one rule of every export: a text a spreadsheet would run as a formula gets a leading
    single quote; anything that is not text (numbers, dates, None) is returned as it is."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    # A number such as -12.5 or +62 812 555 is data, not a formula.
    stripped = value.replace(" ", "")
    if value[0] in "+-" and stripped[1:].replace(".", "", 1).replace(",", "").isdigit():
        return value
    return "'" + value


_neutralise = neutralise_formula


def neutralise_dataset(dataset):
    """``neutralise_formula`` on every cell of a tablib Dataset (the inline exports), in place;
    returns the dataset."""
    for index, row in enumerate(dataset):
        dataset[index] = tuple(neutralise_formula(v) for v in row)
    return dataset


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
        text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", neutralise_formula(str(value)))
        cell = WriteOnlyCell(self._sheet, value=text)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def writerow(self, values) -> None:
        self._sheet.append([self._cell(v) for v in values])

    def close(self) -> None:
        self._book.save(self._fh)


def writer_for(file_format: str, fh, title: str = "Export"):
    return CSVWriter(fh) if file_format == JobFormat.CSV else XLSXWriter(fh, title=title)
