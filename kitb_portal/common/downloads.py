"""Responses that hand a file to the browser as a download."""
from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """``content`` as the download ``filename``: the type is not sniffed, and (it is someone's
    private file) no cache keeps it."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_response(field_file, filename: str, *, content_type: str = "application/pdf", private: bool = True) -> FileResponse:
    """A stored file (a ``FieldFile``) as the download ``filename``; a 404 when the file is missing
    from the storage. The type is not sniffed; a ``private`` file is kept by no cache."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
