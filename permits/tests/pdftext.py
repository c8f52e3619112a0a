"""Text of a PDF as pdftotext (poppler-utils) reads it, for the documents tests."""

from __future__ import annotations

import re
import shutil
import subprocess


def pdf_text(pdf: bytes) -> str:
    """The text with every whitespace removed: table cells and line breaks split words anywhere."""
    from conftest import skip_or_fail

    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext not found (apt-get install poppler-utils)")
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return re.sub(r"\s+", "", result.stdout.decode("utf-8"))


def pdf_image_count(pdf: bytes) -> int:
    """How many images the PDF embeds (pdfimages -list prints two header lines)."""
    import tempfile

    from conftest import skip_or_fail

    if shutil.which("pdfimages") is None:
        skip_or_fail("pdfimages not found (apt-get install poppler-utils)")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(
            ["pdfimages", "-list", handle.name],
            capture_output=True,
            check=True,
            timeout=60,
        )
    return max(len(result.stdout.decode().splitlines()) - 2, 0)
