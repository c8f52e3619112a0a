"""The disk fills up while an applicant uploads a material: a clear message, nothing half-written.

Where the machine allows it (root, CI), the media folder is a real 256 KiB tmpfs filled up to
its last few kilobytes, so the kernel's own ENOSPC stops the write halfway; elsewhere the write
is made to fail halfway the same way. Either way: the form says the server's storage is full, no
``Material`` row exists, no file (whole, partial or temporary) is left in the folder, and once
space is free again the same upload works.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lishui_fire.core import storage
from permits.models import Material
from permits.tests.factories import make_application, pdf_bytes

pytestmark = pytest.mark.django_db

TMPFS_BYTES = 256 * 1024
# A PDF larger than the room left on the full disk, smaller than the upload limit.
UPLOAD_BYTES = 96 * 1024


def _mount_tmpfs(path: Path) -> bool:
    if os.geteuid() != 0:
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _fill(path: Path, leave: int) -> Path:
    """Write a filler file until at most ``leave`` bytes are free on ``path``'s file system."""
    filler = path / "filler.bin"
    with filler.open("wb") as out:
        try:
            while os.statvfs(path).f_bavail * os.statvfs(path).f_frsize > leave:
                out.write(b"\0" * 4096)
                out.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


@pytest.fixture
def full_disk(settings, tmp_path, monkeypatch) -> Iterator[dict]:
    media = tmp_path / "media"
    media.mkdir()
    mounted = _mount_tmpfs(media)
    state = {"media": media, "real": mounted, "filler": None}
    if mounted:
        state["filler"] = _fill(media, leave=16 * 1024)
    else:
        real_copy = storage._copy

        def half_then_enospc(content, out):
            data = b"".join(c.encode() if isinstance(c, str) else c for c in content.chunks())
            out.write(data[: len(data) // 2])
            out.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(storage, "_copy", half_then_enospc)
        state["restore"] = lambda: monkeypatch.setattr(storage, "_copy", real_copy)
    settings.MEDIA_ROOT = media
    try:
        yield state
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(media)], check=False)


def _files(media: Path, *, besides: Path | None = None) -> list[str]:
    return sorted(
        str(p.relative_to(media)) for p in media.rglob("*") if p.is_file() and p != besides
    )


def _free_space(state: dict) -> None:
    if state["real"]:
        state["filler"].unlink()
    else:
        state["restore"]()


def test_an_upload_onto_a_full_disk_is_refused_clearly_and_leaves_nothing(
    full_disk, client_for, citizen
):
    application = make_application(citizen, with_materials=False)
    client = client_for(citizen)
    url = reverse("permits:apply_step", args=[application.pk, "materials"])
    pdf = pdf_bytes("x" * UPLOAD_BYTES)

    response = client.post(
        url,
        {"kind": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", pdf)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "服务器存储空间已满，文件未保存" in page
    assert 'class="site-header"' in page  # the site's layout, not a bare 500
    assert not Material.objects.exists()
    assert _files(full_disk["media"], besides=full_disk["filler"]) == []

    _free_space(full_disk)
    response = client.post(
        url,
        {"kind": "business_licence", "file": SimpleUploadedFile("营业执照.pdf", pdf)},
    )
    assert response.status_code == 302
    material = Material.objects.get()
    stored = full_disk["media"] / material.file.name
    assert stored.read_bytes() == pdf  # whole, not truncated
    assert _files(full_disk["media"]) == [material.file.name]


def test_the_api_upload_onto_a_full_disk_is_a_400_with_the_message(full_disk, api_for, citizen):
    application = make_application(citizen, with_materials=False)
    response = api_for(citizen).post(
        f"/api/v1/permits/{application.pk}/materials/",
        {
            "kind": "business_licence",
            "file": SimpleUploadedFile("licence.pdf", pdf_bytes("y" * UPLOAD_BYTES)),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "服务器存储空间已满" in response.content.decode()
    assert not Material.objects.exists()
    assert _files(full_disk["media"], besides=full_disk["filler"]) == []


def test_a_failed_write_never_shows_a_partial_file_under_its_name(tmp_path, monkeypatch):
    """The storage itself: the name appears only once the bytes are all on disk."""
    from django.core.files.base import ContentFile

    backend = storage.AtomicFileSystemStorage(location=tmp_path)

    def fail_halfway(content, out):
        out.write(b"half")
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage, "_copy", fail_halfway)
    with pytest.raises(OSError):
        backend.save("a/doc.pdf", ContentFile(b"whole document"))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    name = backend.save("a/doc.pdf", ContentFile(b"whole document"))
    assert (tmp_path / name).read_bytes() == b"whole document"
    # A second file of the same name gets a new name (never overwrites the first).
    other = backend.save("a/doc.pdf", ContentFile(b"another"))
    assert other != name
    assert (tmp_path / name).read_bytes() == b"whole document"
    assert oct((tmp_path / other).stat().st_mode & 0o777) == oct(0o644)
