"""Checks on uploaded photos and documents, by their first bytes: no Pillow
is needed to know a JPEG from a script renamed .jpg, and the name and the
Content-Type a browser sends prove nothing."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

PHOTO_MAX_BYTES = 8 * 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
DOCUMENT_TYPES = {**IMAGE_TYPES, "application/pdf": "pdf"}


def sniff(head: bytes) -> str | None:
    """The media type that a file's first 16 bytes show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    # Phones' HEIC/HEIF photos: an ISO box "ftyp" with an image brand.
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"heif"}:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def file_type(upload) -> str | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    return sniff(head)


def _check(upload, allowed, max_bytes, wrong_type):
    if not upload:
        return
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if file_type(upload) not in allowed:
        raise ValidationError(wrong_type, code="wrong_type")


def validate_photo(upload):
    _check(upload, IMAGE_TYPES, PHOTO_MAX_BYTES, _("This is not a photo: send a JPEG, PNG, WebP or HEIC image."))


def validate_document_file(upload):
    _check(upload, DOCUMENT_TYPES, DOCUMENT_MAX_BYTES, _("Send a PDF or a photo (JPEG, PNG, WebP or HEIC)."))
