"""Turn what a user sends (pasted text or a .txt/.pdf/.docx file) into note text, or say why not.

Every refusal is an ``InvalidDocument`` whose message a user can read and which quotes
nothing from the input.
"""
import io
from pathlib import PurePath

from django.conf import settings


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
    suffix = PurePath(filename or "").suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise UnsupportedDocument("Unsupported file type: upload a .txt, .pdf or .docx file.")
    content_type, read = reader
    return check_text(read(data)), content_type


def _read_txt(data: bytes) -> str:
    if b"\x00" in data:
        raise UnsupportedDocument("The file contains binary data, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidDocument("The file is not valid UTF-8 text: save it as UTF-8 and upload it again.") from None


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # untrusted bytes: any parser failure is the file's fault, not ours
        raise InvalidDocument("The PDF could not be read: it may be damaged or encrypted.") from None
    if not text.strip():
        raise InvalidDocument("The PDF has no text layer (a scanned image?): OCR it first.")
    return text


def _read_docx(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # untrusted bytes, as for PDF
        raise InvalidDocument("The Word file could not be read: it may be damaged.") from None
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)


READERS = {
    ".txt": ("text/plain", _read_txt),
    ".text": ("text/plain", _read_txt),
    ".pdf": ("application/pdf", _read_pdf),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _read_docx),
}
