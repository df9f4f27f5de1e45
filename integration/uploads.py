"""The one rulebook of uploaded files, read by every door of both contexts (pages' forms, the
admin, the API's serializers, imports) and by the request edge (config.uploads).

Each kind of file has a size limit from settings (UPLOAD_MAX_IMAGE_MB, UPLOAD_MAX_VIDEO_MB,
UPLOAD_MAX_IMPORT_MB); an image is checked by its content (Pillow), not by its name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext

MB = 1024 * 1024


class Kind(StrEnum):
    PRODUCT_IMAGE = "product_image"
    POST_IMAGE = "post_image"
    AVATAR = "avatar"
    BANNER = "banner"
    VIDEO = "video"
    IMPORT = "import"


IMAGES = {Kind.PRODUCT_IMAGE, Kind.POST_IMAGE, Kind.AVATAR, Kind.BANNER}


def limit_mb(kind: Kind) -> int:
    if kind in IMAGES:
        return int(settings.UPLOAD_MAX_IMAGE_MB)
    if kind is Kind.VIDEO:
        return int(settings.UPLOAD_MAX_VIDEO_MB)
    return int(settings.UPLOAD_MAX_IMPORT_MB)


def limit_bytes(kind: Kind) -> int:
    return limit_mb(kind) * MB


def largest_limit_bytes() -> int:
    """No request body needs to be larger than the largest file it may carry (plus its form)."""
    return max(limit_bytes(kind) for kind in Kind)


def too_large_message(kind: Kind) -> str:
    return gettext("This file is larger than the %(mb)d MB limit.") % {"mb": limit_mb(kind)}


def body_too_large_message() -> str:
    return gettext("The upload is larger than the %(mb)d MB limit.") % {"mb": largest_limit_bytes() // MB}


def not_an_image_message() -> str:
    return gettext("Upload a valid image: this file is not a picture or is damaged.")


def size_errors(kind: Kind, upload: File[Any] | None) -> list[str]:
    if upload is None or upload.size is None or upload.size <= limit_bytes(kind):
        return []
    return [too_large_message(kind)]


def image_content_errors(upload: File[Any]) -> list[str]:
    """Pillow reads the file's header and checks its structure, whatever the file is called."""
    from PIL import Image

    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for a file that is not an image
        return [not_an_image_message()]
    finally:
        upload.seek(position)
    return []


def upload_errors(kind: Kind, upload: File[Any] | None) -> list[str]:
    """Everything wrong with one uploaded file of this kind, or []."""
    if upload is None:
        return []
    errors = size_errors(kind, upload)
    if not errors and kind in IMAGES:
        errors = image_content_errors(upload)
    return errors
