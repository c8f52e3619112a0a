"""Checks of uploaded images shared by every app (permits materials, inspection photos …)."""

from __future__ import annotations

import warnings
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def too_large_message() -> str:
    width, height = settings.MAX_IMAGE_DIMENSIONS
    return _("图片尺寸过大：最大 %(width)d×%(height)d 像素，请缩小后重新上传。") % {
        "width": width,
        "height": height,
    }


def verify_image(uploaded: IO[bytes] | Any) -> None:
    """Refuse an image larger than ``MAX_IMAGE_DIMENSIONS`` or damaged, without decoding it.

    ``Image.open`` reads the header only (width, height, mode); the size is checked there, and
    only an image within the limit is then verified (its structure and checksums, still not its
    pixels). Pillow's own decompression-bomb guard fires in ``open`` for absurd sizes: that too is
    "too large", not "damaged".
    """
    from PIL import Image

    max_width, max_height = settings.MAX_IMAGE_DIMENSIONS
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # Between Pillow's limit and twice it, a warning only: our own limit decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(uploaded) as image:
                width, height = image.size
                if width > max_width or height > max_height:
                    raise ValidationError(too_large_message(), code="too_large")
                image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(too_large_message(), code="too_large") from exc
    except Exception as exc:  # Pillow raises many types for a broken file
        raise ValidationError(_("图片文件已损坏，无法读取。"), code="broken") from exc
    finally:
        uploaded.seek(0)
