"""What a threat report's attachment may be, checked by its content when it is uploaded.

Every download of an attachment is a PDF that names the reader on every page (``security/pdf.py``),
so an upload is accepted only if that PDF can be made, and made cheaply, on every download. The
name only says how the file is to be read; the content must then be that: a PDF that pypdf opens
(not encrypted, at most ``MAX_PDF_PAGES`` pages, page content that decompresses within
``MAX_PDF_CONTENT_BYTES``), a PNG or JPEG whose header gives at most ``MAX_PIXELS`` (read before a
single pixel is decoded), or UTF-8 text of at most ``MAX_TEXT_CHARS`` characters and
``MAX_TEXT_LINES`` lines. Anything else is an ``ActionError`` on the field ``attachment`` (400)
and nothing is stored.

The download runs the same checks without decoding (``check(..., decode=False)``), so a file stored
before these checks answers a 400 rather than a 500 or an hour of work.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from kenes.errors import ActionError

MAX_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_PDF_STREAM_BYTES = 16 * 1024 * 1024  # one decompressed stream
MAX_PDF_CONTENT_BYTES = 32 * 1024 * 1024  # the decompressed content of all pages together
MAX_PDF_PAGE_SIDE = 14_400  # points: 200 inches, the largest page PDF readers show
MAX_PIXELS = 25_000_000
MAX_TEXT_CHARS = 100_000
MAX_TEXT_LINES = 2_000

TEXT_SUFFIXES = (".txt", ".csv", ".md", ".log")
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
FIELD = "attachment"


class Kind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    PDF = "pdf"


def kind_of(name: str) -> Kind | None:
    """How a file of this name is read, or None for a kind that cannot carry the watermark."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix == ".pdf":
        return Kind.PDF
    if suffix in IMAGE_FORMATS:
        return Kind.IMAGE
    if suffix in TEXT_SUFFIXES:
        return Kind.TEXT
    return None


def _refuse(message: str) -> ActionError:
    return ActionError(message, field=FIELD)


def inspect(upload: UploadedFile) -> Kind:
    """Read the whole upload and refuse it unless it is what its name says, within the caps."""
    kind = kind_of(upload.name or "")
    if kind is None:
        # Only kinds that can carry a visible watermark on download: text, images and PDF.
        raise _refuse(_("Attach a text file, an image (PNG, JPEG) or a PDF: only these carry the watermark."))
    if (upload.size or 0) > MAX_BYTES:
        raise _refuse(_("The attachment is larger than 10 MB."))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:  # the declared size is the client's word
        raise _refuse(_("The attachment is larger than 10 MB."))
    if not data:
        raise _refuse(_("The attachment is empty."))
    check(upload.name or "", data, decode=True)
    return kind


def check(name: str, data: bytes, *, decode: bool) -> Kind:
    """Refuse ``data`` unless it is the kind its ``name`` says, within the caps. With ``decode`` the
    PDF's page content is decompressed and the image's pixels decoded, to find what only that
    reveals (a compression bomb, a truncated image); without it only the headers are read."""
    kind = kind_of(name)
    if kind is None:
        raise _refuse(_("Attach a text file, an image (PNG, JPEG) or a PDF: only these carry the watermark."))
    if kind == Kind.PDF:
        pdf_pages(data, decode=decode)
    elif kind == Kind.IMAGE:
        image_size(data, IMAGE_FORMATS[PurePath(name).suffix.lower()], decode=decode)
    else:
        text_of(data)
    return kind


# --- PDF -------------------------------------------------------------------------------------


@contextlib.contextmanager
def pdf_limits() -> Iterator[None]:
    """pypdf's decompression limits, lowered from its 75 MB per stream to ``MAX_PDF_STREAM_BYTES``."""
    import pypdf

    limit = MAX_PDF_STREAM_BYTES
    with pypdf.apply_configuration(
        zlib_maximum_output_length=limit,
        lzw_maximum_output_length=limit,
        run_length_maximum_output_length=limit,
        brotli_maximum_output_length=limit,
        jbig2_maximum_output_length=limit,
        array_based_stream_maximum_output_length=limit,
        image_maximum_buffer_size=limit,
        stream_decoding_work_maximum_length=4 * limit,
    ):
        yield


def _not_pdf() -> ActionError:
    return _refuse(_("The attachment is not a readable PDF."))


def open_pdf(data: bytes) -> Any:
    """A ``PdfReader`` of ``data`` (to be used inside ``pdf_limits()``), refusing a file that is not
    a PDF, is encrypted or has too many pages."""
    from pypdf import PdfReader

    # The header must be in the first kilobyte (ISO 32000-1, 7.5.2 and its implementation note).
    if b"%PDF-" not in data[:1024]:
        raise _not_pdf()
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception as exc:  # pypdf answers malformed input with many kinds of error
        raise _not_pdf() from exc
    if encrypted:
        raise _refuse(_("The PDF is encrypted: it cannot carry the watermark. Attach it without a password."))
    if pages == 0:
        raise _not_pdf()
    if pages > MAX_PDF_PAGES:
        raise _refuse(
            _("The PDF has %(pages)d pages; at most %(max)d are accepted.") % {"pages": pages, "max": MAX_PDF_PAGES}
        )
    return reader


def pdf_pages(data: bytes, *, decode: bool) -> int:
    """The number of pages of a PDF that can be watermarked; refuses any other."""
    from pypdf.errors import LimitReachedError

    with pdf_limits():
        reader = open_pdf(data)
        total = 0
        try:
            for page in reader.pages:
                box = page.cropbox
                if not (0 < float(box.width) <= MAX_PDF_PAGE_SIDE and 0 < float(box.height) <= MAX_PDF_PAGE_SIDE):
                    raise _refuse(_("The PDF has a page of a size that cannot be watermarked."))
                if decode:
                    contents = page.get_contents()
                    total += len(contents.get_data()) if contents is not None else 0
                    if total > MAX_PDF_CONTENT_BYTES:
                        raise _refuse(_("The PDF's pages hold too much compressed content to be watermarked."))
        except ActionError:
            raise
        except LimitReachedError as exc:  # a compression bomb
            raise _refuse(_("The PDF's pages hold too much compressed content to be watermarked.")) from exc
        except Exception as exc:  # a broken stream
            raise _not_pdf() from exc
        return len(reader.pages)


# --- Images ----------------------------------------------------------------------------------


def image_size(data: bytes, fmt: str, *, decode: bool) -> tuple[int, int]:
    """The size of a PNG or JPEG (``fmt``), read from its header before any pixel is decoded; refuses
    an image of another format or of more than ``MAX_PIXELS``."""
    from PIL import JpegImagePlugin, PngImagePlugin

    # The format's own reader, not ``Image.open``: it reads the header and nothing else, and it
    # does not try other formats. Pillow's own bomb check (Image.MAX_IMAGE_PIXELS, 89 Mpx) is
    # too lax for this, and changing it would change it for the whole process.
    reader = PngImagePlugin.PngImageFile if fmt == "PNG" else JpegImagePlugin.JpegImageFile
    not_image = _("The attachment is not a readable %(format)s image.") % {"format": fmt}
    try:
        image = reader(io.BytesIO(data))
    except Exception as exc:  # Pillow says SyntaxError, OSError, ValueError…
        raise _refuse(not_image) from exc
    with image:
        width, height = image.size
        if width <= 0 or height <= 0:
            raise _refuse(not_image)
        if width * height > MAX_PIXELS:
            raise _refuse(
                _("The image is %(width)d × %(height)d pixels; at most %(max)d million pixels are accepted.")
                % {"width": width, "height": height, "max": MAX_PIXELS // 1_000_000}
            )
        if decode:
            try:
                image.load()  # within the cap: a truncated or corrupt image is found now, not on download
            except Exception as exc:
                raise _refuse(not_image) from exc
    return width, height


# --- Text ------------------------------------------------------------------------------------


def text_of(data: bytes) -> str:
    """The text of a text attachment: UTF-8 (a byte-order mark is dropped), within the caps."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(_("A text attachment must be UTF-8 text.")) from exc
    if "\x00" in text:
        raise _refuse(_("A text attachment must be UTF-8 text."))
    if len(text) > MAX_TEXT_CHARS or text.count("\n") >= MAX_TEXT_LINES:
        raise _refuse(
            _("The text attachment is too long: at most %(chars)d characters in %(lines)d lines.")
            % {"chars": MAX_TEXT_CHARS, "lines": MAX_TEXT_LINES}
        )
    return text
