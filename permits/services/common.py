"""Small helpers shared by the permits services."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.core.uploads import verify_image

from .. import rules


def local_today() -> dt.date:
    return timezone.localdate()


def local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def check_upload(uploaded: UploadedFile, *, images_only: bool = False) -> tuple[str, str]:
    """Check an upload by its content, not its name. Returns (content_type, sha256)."""
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size is None or uploaded.size == 0:
        raise ValidationError(_("文件为空，请重新选择。"), code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("文件过大：不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    content_type = rules.sniff_content_type(head)
    allowed = {"image/jpeg", "image/png"} if images_only else set(rules.EXTENSIONS)
    if content_type not in allowed:
        message = (
            _("只能上传 JPEG 或 PNG 图片。")
            if images_only
            else _("只能上传 PDF、JPEG 或 PNG 文件（按文件内容识别，改扩展名无效）。")
        )
        raise ValidationError(message, code="bad_type")
    if content_type.startswith("image/"):
        _verify_image(uploaded)
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return content_type, digest.hexdigest()


def _verify_image(uploaded: UploadedFile) -> None:
    # The kernel's check: size from the header before decoding, then structure.
    verify_image(uploaded)
