"""Render the sample letter to a PDF file: a quick check of fonts, masking and the letterhead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from lishui_fire.core.documents import render_pdf, sample_letter_context


class Command(BaseCommand):
    help = "Render templates/documents/sample_letter.html to a PDF file (default var/sample_letter.pdf)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "var" / "sample_letter.pdf")
        )
        parser.add_argument("--name", default="张三")
        parser.add_argument("--id-number", default="33110219900101123X")
        parser.add_argument("--phone", default="13812345678")
        parser.add_argument("--issuer", default="丽水市消防救援支队")

    def handle(self, *args: Any, **options: Any) -> None:
        context = sample_letter_context(
            recipient_name=options["name"],
            id_number=options["id_number"],
            phone=options["phone"],
            issuer=options["issuer"],
        )
        pdf = render_pdf("documents/sample_letter.html", context)
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(pdf)
        self.stdout.write(f"{output} ({len(pdf)} bytes)")
