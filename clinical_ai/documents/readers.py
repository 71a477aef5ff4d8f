"""Note text out of what a user or sender sends: pasted text, .txt, .pdf and .docx files.

The one reader of every way in (the intake for uploads, interop for FHIR and HL7 attachments),
importable without the app registry. Every refusal is an ``InvalidDocument`` whose message a
user can read and which quotes nothing from the input, not even the file name.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.conf import settings

# Office files are zip archives: bounded before parsing (a 341 KB .docx can inflate to 105 MB).
DOCX_MAX_MEMBERS = 1000
DOCX_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
DOCX_MAX_RATIO = 200


class InvalidDocument(Exception):
    status_code = 400


class DocumentTooLarge(InvalidDocument):
    status_code = 413


class UnsupportedDocument(InvalidDocument):
    status_code = 415


def check_text(text) -> str:
    if not isinstance(text, str):
        raise InvalidDocument("'text' must be a string.")
    if "\x00" in text:
        raise UnsupportedDocument("The text contains NUL bytes: it looks like binary data, not a note.")
    if len(text.encode("utf-8", errors="surrogatepass")) > settings.MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"The document is larger than the limit of {settings.MAX_DOCUMENT_BYTES} bytes.")
    if not text.strip():
        raise InvalidDocument("The document is empty.")
    return text


def check_size(size: int) -> None:
    if size > settings.MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(f"The file is larger than the limit of {settings.MAX_DOCUMENT_BYTES} bytes.")


def text_from_file(filename: str, data: bytes) -> tuple[str, str]:
    """The note text in an uploaded file and its content type."""
    check_size(len(data))
    reader = READERS.get(PurePath(filename or "").suffix.lower())
    if reader is None:
        raise UnsupportedDocument("Unsupported file type: upload a .txt, .pdf or .docx file.")
    content_type, read = reader
    return check_text(read(data)), content_type


def plain_text(data: bytes) -> str:
    if b"\x00" in data:
        raise UnsupportedDocument("The file contains binary data, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidDocument("The file is not valid UTF-8 text: save it as UTF-8 and upload it again.") from None


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF: the one PDF reader of every way in (uploads, FHIR and HL7 attachments)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception:  # untrusted bytes: any parser failure is the file's fault, not ours
        raise InvalidDocument("The PDF could not be read: it may be damaged or encrypted.") from None
    text = "\n\n".join(page.strip() for page in pages).strip()
    if not text:
        raise InvalidDocument("The PDF has no text layer (a scanned image?): OCR it first.")
    return text


def docx_text(data: bytes) -> str:
    import docx

    _check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # untrusted bytes, as for PDF
        raise InvalidDocument("The Word file could not be read: it may be damaged.") from None
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)


def _check_archive(data: bytes) -> None:
    """Refuse a zip whose declared sizes would exhaust memory, before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidDocument("The Word file could not be read: it is not a valid .docx archive.") from None
    if len(members) > DOCX_MAX_MEMBERS:
        raise DocumentTooLarge(f"The Word file holds more than {DOCX_MAX_MEMBERS} parts.")
    inflated = sum(member.file_size for member in members)
    if inflated > DOCX_MAX_UNCOMPRESSED_BYTES or any(
            member.file_size > DOCX_MAX_RATIO * max(member.compress_size, 1) for member in members):
        raise DocumentTooLarge(f"The Word file inflates beyond the limit of {DOCX_MAX_UNCOMPRESSED_BYTES} bytes "
                               "(a zip bomb?).")


READERS = {
    ".txt": ("text/plain", plain_text),
    ".text": ("text/plain", plain_text),
    ".pdf": ("application/pdf", pdf_text),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx_text),
}
