"""Attachment bytes (plain text, HTML, PDF) to note text, shared by HL7 ED and FHIR.

Errors are AttachmentError whose message names the problem, never the content.
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
from html.parser import HTMLParser

from clinical_ai.documents.readers import InvalidDocument, pdf_text
from clinical_ai.interop.results import MAX_INPUT_BYTES

PDF = "application/pdf"
PLAIN = "text/plain"
HTML = "text/html"
_HTML_TYPES = {HTML, "application/xhtml+xml"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
_SKIPPED_TAGS = {"script", "style", "head"}

# pypdf warns about malformed objects; its messages never carry page text, but keep it quiet.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class AttachmentError(ValueError):
    """An attachment that cannot become note text; the message is PHI-free."""


def decode_base64(data: str) -> bytes:
    if len(data) > MAX_INPUT_BYTES * 4 // 3:
        raise AttachmentError("attachment is over the size limit")
    try:
        return base64.b64decode(re.sub(r"\s+", "", data), validate=True)
    except (binascii.Error, ValueError):
        raise AttachmentError("attachment data is not valid base64") from None


def attachment_text(content: bytes, content_type: str) -> str:
    """Text of an attachment, or AttachmentError when its type or bytes are unusable."""
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type == PDF:
        text = _pdf_text(content)
    elif media_type == PLAIN or media_type.startswith("text/plain"):
        text = decode_text(content, _charset(params))
    elif media_type in _HTML_TYPES:
        text = html_to_text(decode_text(content, _charset(params)))
    else:
        raise AttachmentError("attachment content type is not text/plain, text/html or application/pdf")
    if not text.strip():
        raise AttachmentError("attachment holds no text")
    return text


def decode_text(content: bytes, charset: str = "utf-8") -> str:
    if b"\x00" in content:
        raise AttachmentError("attachment is binary, not text")
    try:
        return content.decode(charset).removeprefix("\ufeff")
    except LookupError:
        raise AttachmentError("attachment charset is unknown") from None
    except UnicodeDecodeError:
        raise AttachmentError(f"attachment is not valid {charset} text") from None


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(extractor.parts)).strip()


def _charset(params: str) -> str:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", params, re.IGNORECASE)
    return match.group(1) if match else "utf-8"


def _pdf_text(content: bytes) -> str:
    """The intake's one PDF reader, its refusal as an AttachmentError."""
    try:
        return pdf_text(content)
    except InvalidDocument:
        raise AttachmentError("PDF attachment could not be read or has no text layer (scanned image?)") from None


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)
