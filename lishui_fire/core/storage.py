"""Where uploaded and issued files are kept: a setting (``STORAGES["default"]``), never a path.

The default backend is :class:`AtomicFileSystemStorage`: Django's file-system storage, except
that a file appears under its name only once it is completely written. Django's own
``FileSystemStorage._save`` writes straight into the final name and leaves the half-written file
behind when the disk fills up (``ENOSPC``) or the process dies; a later download would serve a
truncated PDF whose row says it is fine. Here the bytes go to a hidden ``.partial-*`` file in the
same folder, are flushed to disk, and are then hard-linked (atomically, never over an existing
file) to the final name; the partial file is removed whatever happens.

Several web processes share the files through the storage: a shared folder (NFS, a volume) with
this backend, or S3-compatible object storage (``FILE_STORAGE_BACKEND``, see settings and ADR).

``save_or_refuse`` is what services call: an ``OSError`` from the storage (disk full, read-only,
quota) becomes a ``ValidationError`` with a message the form shows, instead of a 500.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from contextlib import suppress
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
# Hard links are not offered by every file system (some network and FUSE mounts).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


class AtomicFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` that never leaves a half-written file under a real name."""

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                _copy(content, out)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(partial, self.file_permissions_mode or 0o644)
            while True:
                try:
                    self._publish(partial, full_path)
                    break
                except FileExistsError:
                    # Another writer took the name between get_available_name and now.
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(partial)
        name = os.path.relpath(full_path, self.location)
        self._ensure_location_group_id(full_path)
        return str(name).replace("\\", "/")

    def _publish(self, partial: str, full_path: str) -> None:
        if self._allow_overwrite:
            os.replace(partial, full_path)
            return
        try:
            os.link(partial, full_path)  # atomic, and refuses an existing name
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if os.path.exists(full_path):
                raise FileExistsError(full_path) from exc
            os.rename(partial, full_path)


def _copy(content: Any, out: Any) -> None:
    if hasattr(content, "temporary_file_path"):
        with open(content.temporary_file_path(), "rb") as source:
            while chunk := source.read(CHUNK):
                out.write(chunk)
        return
    for chunk in content.chunks():
        out.write(chunk.encode() if isinstance(chunk, str) else chunk)


def storage_error_message(exc: OSError) -> str:
    """What the user is told when the storage refused a file (translated)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return str(_("服务器存储空间已满，文件未保存。请稍后再试；如仍失败，请联系我们。"))
    return str(_("服务器暂时无法保存文件，文件未保存。请稍后再试。"))


def save_or_refuse(field: FieldFile, name: str, content: Any, *, form_field: str = "file") -> None:
    """``field.save(name, content, save=False)``; a storage failure is a ``ValidationError``.

    Nothing is left behind: the storage removes its partial file, and the caller's transaction
    (the row that would have pointed at the file) rolls back when the error propagates.
    """
    try:
        field.save(name, content, save=False)
    except OSError as exc:
        logger.error("storage refused %s: %s", name, exc)
        raise ValidationError({form_field: storage_error_message(exc)}) from exc
