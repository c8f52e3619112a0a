"""Permit letters and the one-time notice become issued documents (core.documents.IssuedDocument).

* PermitDocument gains its issuing brigade, party, verification code and render bookkeeping;
  existing rows keep their numbers and files and get a code each.
* Each booking's notice moves from PrecheckBooking.notice_file into a PrecheckNotice row (its
  current version, with the same number and file, a SHA-256 of the stored file and a new code).
"""

import hashlib
import secrets

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import lishui_fire.core.documents

# As in core.documents at the time of writing (a migration must not change with the code).
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _i in range(8))
        if code not in taken:
            taken.add(code)
            return code


def _sha256(field) -> str:
    if not field:
        return ""
    try:
        with field.storage.open(field.name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def fill_permit_documents(apps, schema_editor):
    PermitDocument = apps.get_model("permits", "PermitDocument")
    taken: set[str] = set()
    for document in PermitDocument.objects.select_related("application").iterator():
        document.brigade_id = document.application.brigade_id
        document.party_name = document.application.unit_name[:128]
        document.verification_code = _code(taken)
        if document.file:
            document.rendered_at = document.issued_at
            document.render_attempts = 1
        document.save(
            update_fields=[
                "brigade",
                "party_name",
                "verification_code",
                "rendered_at",
                "render_attempts",
            ]
        )


def move_notices(apps, schema_editor):
    PrecheckBooking = apps.get_model("permits", "PrecheckBooking")
    PrecheckNotice = apps.get_model("permits", "PrecheckNotice")
    taken = set(
        apps.get_model("permits", "PermitDocument").objects.values_list(
            "verification_code", flat=True
        )
    )
    bookings = PrecheckBooking.objects.exclude(notice_number="").select_related("applicant")
    for booking in bookings.iterator():
        has_file = bool(booking.notice_file)
        PrecheckNotice.objects.create(
            booking=booking,
            version=max(booking.notice_version, 1),
            kind="notice",
            number=booking.notice_number,
            file=booking.notice_file.name if has_file else "",
            sha256=_sha256(booking.notice_file),
            issued_at=booking.notice_issued_at or booking.updated_at,
            brigade_id=booking.brigade_id,
            party_name=(booking.applicant.real_name or "")[:128],
            verification_code=_code(taken),
            rendered_at=booking.notice_issued_at if has_file else None,
            render_attempts=1 if has_file else 0,
        )


def move_notices_back(apps, schema_editor):
    PrecheckBooking = apps.get_model("permits", "PrecheckBooking")
    PrecheckNotice = apps.get_model("permits", "PrecheckNotice")
    for notice in PrecheckNotice.objects.order_by("booking_id", "version").iterator():
        PrecheckBooking.objects.filter(pk=notice.booking_id).update(notice_file=notice.file.name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("permits", "0006_text_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # --- PermitDocument ------------------------------------------------------------------
        migrations.AddField(
            model_name="permitdocument",
            name="brigade",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.orgunit",
                verbose_name="出具单位",
            ),
        ),
        migrations.AddField(
            model_name="permitdocument",
            name="party_name",
            field=models.CharField(blank=True, max_length=128, verbose_name="当事人"),
        ),
        migrations.AddField(
            model_name="permitdocument",
            name="verification_code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="验证码"),
        ),
        migrations.AddField(
            model_name="permitdocument",
            name="rendered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="permitdocument",
            name="render_attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="permitdocument",
            name="render_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.RunPython(fill_permit_documents, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="permitdocument",
            name="brigade",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.orgunit",
                verbose_name="出具单位",
            ),
        ),
        migrations.AlterField(
            model_name="permitdocument",
            name="verification_code",
            field=models.CharField(
                default=lishui_fire.core.documents.new_verification_code,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="验证码",
            ),
        ),
        migrations.AlterField(
            model_name="permitdocument",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=lishui_fire.core.documents.issued_document_upload_to,
            ),
        ),
        migrations.AlterField(
            model_name="permitdocument",
            name="issued_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="出具时间"),
        ),
        migrations.AlterField(
            model_name="permitdocument",
            name="issued_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # --- PrecheckNotice ------------------------------------------------------------------
        migrations.CreateModel(
            name="PrecheckNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=64, verbose_name="文书编号")),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        max_length=255,
                        upload_to=lishui_fire.core.documents.issued_document_upload_to,
                    ),
                ),
                ("sha256", models.CharField(blank=True, max_length=64)),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="出具时间"
                    ),
                ),
                (
                    "party_name",
                    models.CharField(blank=True, max_length=128, verbose_name="当事人"),
                ),
                (
                    "verification_code",
                    models.CharField(
                        default=lishui_fire.core.documents.new_verification_code,
                        editable=False,
                        max_length=16,
                        unique=True,
                        verbose_name="验证码",
                    ),
                ),
                ("rendered_at", models.DateTimeField(blank=True, null=True)),
                ("render_attempts", models.PositiveSmallIntegerField(default=0)),
                ("render_error", models.CharField(blank=True, max_length=500)),
                ("version", models.PositiveSmallIntegerField(default=1, verbose_name="版本")),
                (
                    "kind",
                    models.CharField(
                        choices=[("notice", "一次性告知书")],
                        default="notice",
                        max_length=16,
                        verbose_name="文书",
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notices",
                        to="permits.precheckbooking",
                    ),
                ),
                (
                    "brigade",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.orgunit",
                        verbose_name="出具单位",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "一次性告知书",
                "verbose_name_plural": "一次性告知书",
                "ordering": ["booking", "version"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("booking", "version"), name="precheck_notice_version_once"
                    )
                ],
            },
        ),
        migrations.RunPython(move_notices, move_notices_back),
        migrations.RemoveField(model_name="precheckbooking", name="notice_file"),
    ]
