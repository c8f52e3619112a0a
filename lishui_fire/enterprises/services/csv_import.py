"""The administrators' CSV import of the registry.

``start_enterprise_import`` checks and stores an upload and queues it;
``process_enterprise_import`` applies it in the background in chunks, so a progress page can poll
and a crashed worker resumes.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.accounts.policies import authorize
from lishui_fire.core import audit
from lishui_fire.core.jobs import enqueue
from lishui_fire.core.masking import mask_phone
from lishui_fire.core.storage import save_or_refuse
from lishui_fire.core.validators import (
    PlainTextValidator,
    is_valid_mainland_mobile,
    is_valid_uscc,
    normalise_code,
)

from .. import policies
from ..models import (
    CreditGrade,
    CreditRatingChange,
    Enterprise,
    EnterpriseImport,
    RatingSource,
    RiskLevel,
    VenueType,
)

# --- CSV import: columns and value vocabularies --------------------------------------------------

IMPORT_SUBDIR = "imports"
IMPORT_CHUNK_SIZE = 100
BOM = "\ufeff"


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: str  # the Chinese header written in the template
    aliases: tuple[str, ...]
    required: bool = False


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn(
        "uscc",
        "统一社会信用代码",
        ("uscc", "credit_code", "unified_social_credit_code", "信用代码", "社会信用代码"),
        required=True,
    ),
    ImportColumn("name", "单位名称", ("name", "enterprise_name", "名称"), required=True),
    ImportColumn("address", "地址", ("address", "单位地址"), required=True),
    ImportColumn(
        "county", "所属县区", ("county", "brigade", "县区", "所属大队", "大队"), required=True
    ),
    ImportColumn("venue_type", "场所类型", ("venue_type", "type")),
    ImportColumn("risk_level", "风险等级", ("risk_level", "risk")),
    ImportColumn("credit_rating", "信用等级", ("credit_rating", "rating")),
    ImportColumn("contact_name", "联系人", ("contact_name", "contact")),
    ImportColumn(
        "contact_phone", "联系电话", ("contact_phone", "phone", "mobile", "手机", "手机号码")
    ),
)
IMPORT_HEADERS: tuple[str, ...] = tuple(c.header for c in IMPORT_COLUMNS)
_MAX_LENGTHS = {"name": 128, "address": 255, "contact_name": 64}


def _header_key(text: str) -> str:
    text = text.replace(BOM, "").strip().strip("*").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


_HEADER_LOOKUP: dict[str, str] = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.header, _column.key, *_column.aliases):
        _HEADER_LOOKUP[_header_key(_name)] = _column.key


def _vocabulary(choices: Any, *, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every spelling an administrator may type for a choice: code, Chinese and English label,
    and each part of a label such as 宾馆、饭店 (a part claimed by two choices is dropped)."""
    table: dict[str, str] = {}
    clashes: set[str] = set()

    def add(spelling: str, value: str) -> None:
        key = _value_key(spelling)
        if not key:
            return
        if key in table and table[key] != value:
            clashes.add(key)
        table[key] = value

    for value, label in choices.choices:
        add(value, value)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = str(label)
            add(text, value)
            for part in re.split(r"[、，,/（）()]", text):
                add(part, value)
    for key in clashes:
        table.pop(key, None)
    for spelling, value in (extra or {}).items():
        table[_value_key(spelling)] = value
    return table


def _grade_vocabulary() -> dict[str, str]:
    """The grades of the scale as they are in the table: code, "A级", name, full label."""
    table: dict[str, str] = {}
    for grade in CreditGrade.objects.all():
        spellings = [grade.code, f"{grade.code}级", grade.label, grade.label_en]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                spellings.append(grade.display_label)
        for spelling in spellings:
            if key := _value_key(spelling):
                table[key] = grade.code
    return table


# Spellings of the registry's vocabulary before it became one with the permits' (files made from
# the old template keep importing), and 餐馆 as a plain restaurant, not the law's music teahouse.
_OLD_VENUE_SPELLINGS: dict[str, str] = {
    "商场、集贸市场": VenueType.MALL,
    "客运车站、码头、机场候机楼": VenueType.TERMINAL,
    "客运车站": VenueType.TERMINAL,
    "码头": VenueType.TERMINAL,
    "机场候机楼": VenueType.TERMINAL,
    "餐馆": VenueType.RESTAURANT,
}


def _value_key(text: str) -> str:
    return "".join(str(text).split()).lower()


def _brigade_lookup() -> dict[str, OrgUnit]:
    table: dict[str, OrgUnit] = {}
    for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE):
        for spelling in (unit.code, unit.division_name, unit.name_zh, unit.name_en):
            if spelling:
                table[_value_key(spelling)] = unit
        if unit.division_code:
            table[unit.division_code] = unit
    return table


@dataclass
class _Vocabularies:
    brigades: dict[str, OrgUnit]
    venue_types: dict[str, str]
    risk_levels: dict[str, str]
    ratings: dict[str, str]
    grade_codes: str

    @classmethod
    def load(cls) -> _Vocabularies:
        return cls(
            brigades=_brigade_lookup(),
            venue_types=_vocabulary(VenueType, extra=_OLD_VENUE_SPELLINGS),
            risk_levels=_vocabulary(
                RiskLevel, extra={"高": "high", "中": "medium", "低": "low", "较高": "high"}
            ),
            ratings=_grade_vocabulary(),
            grade_codes="、".join(CreditGrade.objects.values_list("code", flat=True)),
        )


# --- CSV import: reading files -------------------------------------------------------------------


def _detect_encoding(stream: IO[bytes]) -> str | None:
    """UTF-8 (with or without BOM) or GB18030 — what Excel in China saves — else ``None``.

    Decoded incrementally so a 10 MB file is never held as one string.
    """
    stream.seek(0)
    head = stream.read(3)
    candidates = ["utf-8-sig"] if head.startswith(codecs.BOM_UTF8) else ["utf-8", "gb18030"]
    for encoding in candidates:
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(64 * 1024):
                if b"\x00" in chunk:
                    return None  # UTF-16 text or a binary file: not a CSV we can read
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _records(stream: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` per CSV record; line 1 is the header, as in Excel's row numbers."""
    stream.seek(0)
    # A stream reader works over any file-like object (uploads in memory or on disk, storage
    # files), and csv joins quoted fields that span lines itself.
    text = codecs.getreader(encoding)(stream)
    yield from enumerate(csv.reader(text), start=1)


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _map_header(cells: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column positions by key, and the problems with the header (missing or repeated)."""
    positions: dict[int, str] = {}
    seen: set[str] = set()
    problems: list[str] = []
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(_header_key(cell))
        if key is None:
            continue  # extra columns (remarks, serial numbers) are ignored
        if key in seen:
            problems.append(_("列“%(column)s”重复出现。") % {"column": cell.strip()})
            continue
        seen.add(key)
        positions[index] = key
    missing = [c.header for c in IMPORT_COLUMNS if c.required and c.key not in seen]
    if missing:
        problems.append(_("缺少必需的列：%(columns)s。") % {"columns": "、".join(missing)})
    return positions, problems


def _clean_original_name(name: str) -> str:
    name = os.path.basename(str(name).replace("\\", "/"))
    return "".join(ch for ch in name if ch.isprintable())[:255] or "upload.csv"


def start_enterprise_import(*, uploaded_file: Any, uploaded_by: Any) -> EnterpriseImport:
    """Check an uploaded CSV, store it under ``MEDIA_ROOT/imports``, and queue its processing.

    Refuses (``ValidationError`` on ``file``) a file that is not a readable CSV with the expected
    header, so nothing is stored or created for it.
    """
    authorize(policies.can_import_enterprises(uploaded_by))
    original_name = _clean_original_name(getattr(uploaded_file, "name", "") or "")
    max_bytes = settings.MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None) or 0

    def refuse(message: str) -> ValidationError:
        return ValidationError({"file": message})

    if not original_name.lower().endswith(".csv"):
        raise refuse(_("请上传 .csv 格式的文件（在 Excel 中“另存为”CSV）。"))
    if size > max_bytes:
        raise refuse(
            _("文件过大：最大 %(max)d MB。请拆分后分批导入。") % {"max": max_bytes // (1024 * 1024)}
        )
    if size == 0:
        raise refuse(_("文件是空的。"))
    encoding = _detect_encoding(uploaded_file)
    if encoding is None:
        raise refuse(
            _("无法识别文件编码，或不是文本格式的 CSV。请保存为 UTF-8 或 GBK 编码的 CSV。")
        )
    header: list[str] | None = None
    has_data = False
    try:
        for _line, cells in _records(uploaded_file, encoding):
            if header is None:
                if not _is_blank(cells):
                    header = cells
                continue
            if not _is_blank(cells):
                has_data = True
                break
    except (csv.Error, UnicodeDecodeError) as exc:
        raise refuse(_("CSV 文件格式有误，无法读取。")) from exc
    if header is None:
        raise refuse(_("文件中没有标题行。"))
    _positions, problems = _map_header(header)
    if problems:
        raise refuse(" ".join(problems))
    if not has_data:
        raise refuse(_("文件中只有标题行，没有数据。"))

    uploaded_file.seek(0)
    with transaction.atomic():
        job = EnterpriseImport(original_name=original_name, uploaded_by=uploaded_by)
        # A server-side name: user file names never become paths (ASVS 5.3.2).
        save_or_refuse(job.file, f"{uuid.uuid4().hex}.csv", uploaded_file)
        job.save()
        enqueue("enterprises.process_import", job.pk)
    return job


# --- CSV import: checking rows -------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    raw_uscc: str
    values: dict[str, Any] = field(default_factory=dict)  # only the columns that were filled in
    errors: list[str] = field(default_factory=list)
    refused_text: set[str] = field(default_factory=set)  # cells refused by the plain-text rule


def _shown(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 40 else value[:40] + "…"


def _parse_row(
    line: int, cells: list[str], positions: dict[int, str], vocab: _Vocabularies
) -> _Row:
    raw = dict.fromkeys(_HEADER_LOOKUP.values(), "")
    for index, key in positions.items():
        if index < len(cells):
            raw[key] = cells[index].strip()
    row = _Row(line=line, raw_uscc=raw["uscc"])
    values, errors = row.values, row.errors
    # The rows are written in bulk, past the models' validators: the kernel's plain-text rule
    # (ADR 0024) is applied here, so that a right-to-left override in a name never reaches the
    # letters that print it. A cell with such a character is refused, not cleaned.
    for key, cell_label in _TEXT_CELLS:
        try:
            _plain(raw[key])
        except ValidationError as exc:
            errors.append(f"{cell_label}：{exc.messages[0]}")
            raw[key] = ""
            row.refused_text.add(key)

    uscc = normalise_code(raw["uscc"])
    if not uscc:
        errors.append(_("统一社会信用代码不能为空"))
    elif not is_valid_uscc(uscc):
        errors.append(_("统一社会信用代码无效（应为 18 位，且校验位正确）"))
    else:
        values["uscc"] = uscc

    for key, label in (("name", _("单位名称")), ("address", _("地址"))):
        if key in row.refused_text:
            continue
        if not raw[key]:
            errors.append(_("%(field)s不能为空") % {"field": label})
        elif len(raw[key]) > _MAX_LENGTHS[key]:
            errors.append(
                _("%(field)s过长（最多 %(max)d 字）") % {"field": label, "max": _MAX_LENGTHS[key]}
            )
        else:
            values[key] = raw[key]

    county = raw["county"]
    if not county:
        errors.append(_("所属县区不能为空"))
    elif (unit := vocab.brigades.get(_value_key(county))) is None:
        errors.append(
            _("未知的所属县区：%(value)s（可填大队代码如 LD、县区名如 莲都区，或大队名称）")
            % {"value": _shown(county)}
        )
    else:
        values["brigade"] = unit

    for key, table, message in (
        ("venue_type", vocab.venue_types, _("未知的场所类型：%(value)s")),
        (
            "risk_level",
            vocab.risk_levels,
            _("未知的风险等级：%(value)s（可填 高风险、中风险、低风险）"),
        ),
        (
            "credit_rating",
            vocab.ratings,
            _("未知的信用等级：%(value)s（可填 %(codes)s）"),
        ),
    ):
        if raw[key]:
            if (code := table.get(_value_key(raw[key]))) is None:
                errors.append(message % {"value": _shown(raw[key]), "codes": vocab.grade_codes})
            else:
                values[key] = code

    if raw["contact_name"]:
        if len(raw["contact_name"]) > _MAX_LENGTHS["contact_name"]:
            errors.append(_("联系人过长（最多 64 字）"))
        else:
            values["contact_name"] = raw["contact_name"]
    if raw["contact_phone"]:
        phone = re.sub(r"[\s\-]", "", raw["contact_phone"])
        if len(phone) == 13 and phone.startswith("86"):
            phone = phone[2:]
        elif len(phone) == 14 and phone.startswith("+86"):
            phone = phone[3:]
        if is_valid_mainland_mobile(phone):
            values["contact_phone"] = phone
        else:
            errors.append(
                _("联系电话无效：%(value)s（应为 11 位手机号码）")
                % {"value": mask_phone(_shown(raw["contact_phone"]))}
            )
    return row


_plain = PlainTextValidator()
_TEXT_CELLS = (
    ("name", _lazy("单位名称")),
    ("address", _lazy("地址")),
    ("contact_name", _lazy("联系人")),
)


# Fields an import may set; blank cells leave an existing enterprise's value as it is.
_IMPORT_FIELDS = (
    "name",
    "address",
    "brigade",
    "venue_type",
    "risk_level",
    "credit_rating",
    "contact_name",
    "contact_phone",
)


def _audit_value(value: Any) -> str:
    if isinstance(value, OrgUnit):
        return str(value.pk)
    return "None" if value is None else str(value)


@dataclass
class _Progress:
    processed: int
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]


def _apply_chunk(
    job: EnterpriseImport,
    rows: list[_Row],
    progress: _Progress,
) -> bool:
    """Write one chunk and the job's counters in one transaction; ``False`` if another worker
    already wrote this chunk (the counters moved under us), in which case nothing is written."""
    valid = [r for r in rows if not r.errors]
    now = timezone.now()
    reason = _("批量导入：%(name)s") % {"name": job.original_name}
    with transaction.atomic():
        locked = (
            EnterpriseImport.objects.select_for_update()
            .only("pk", "processed_rows", "status")
            .get(pk=job.pk)
        )
        if locked.processed_rows != progress.processed or locked.status != job.Status.RUNNING:
            return False
        # One query per chunk, never one per row.
        existing = {
            e.uscc: e
            for e in Enterprise.objects.filter(
                uscc__in=[r.values["uscc"] for r in valid]
            ).order_by()
        }
        to_create: list[Enterprise] = []
        to_update: list[Enterprise] = []
        update_fields: set[str] = set()
        rating_changes: list[CreditRatingChange] = []
        audit_rows: list[tuple[Enterprise, int, dict[str, list[str]], int]] = []
        created = updated = unchanged = 0
        for row in valid:
            values = row.values
            current = existing.get(values["uscc"])
            if current is None:
                if "venue_type" not in values:
                    row.errors.append(_("场所类型不能为空（新增单位必填）"))
                    continue
                enterprise = Enterprise(
                    uscc=values["uscc"],
                    **{k: values[k] for k in _IMPORT_FIELDS if k in values},
                    created_at=now,
                    updated_at=now,
                )
                to_create.append(enterprise)
                changes = {
                    k: ["None", _audit_value(getattr(enterprise, k))]
                    for k in ("uscc", *_IMPORT_FIELDS)
                }
                audit_rows.append((enterprise, audit.CREATE, changes, row.line))
                rating_changes.append(
                    CreditRatingChange(
                        enterprise=enterprise,
                        from_rating="",
                        to_rating=enterprise.credit_rating,
                        reason=reason,
                        changed_by=job.uploaded_by,
                        changed_at=now,
                        source=RatingSource.REGISTRATION,
                        effective_from=now.date(),
                    )
                )
                created += 1
                continue
            changes = {}
            old_rating = current.credit_rating
            for key in _IMPORT_FIELDS:
                if key not in values:
                    continue
                old = current.brigade_id if key == "brigade" else getattr(current, key)
                new = values[key].pk if key == "brigade" else values[key]
                if old != new:
                    changes[key] = [_audit_value(old), _audit_value(new)]
                    setattr(current, key, values[key])
                    update_fields.add(key)
            if not changes:
                unchanged += 1
                continue
            current.updated_at = now
            to_update.append(current)
            audit_rows.append((current, audit.UPDATE, changes, row.line))
            if current.credit_rating != old_rating:
                rating_changes.append(
                    CreditRatingChange(
                        enterprise=current,
                        from_rating=old_rating,
                        to_rating=current.credit_rating,
                        reason=reason,
                        changed_by=job.uploaded_by,
                        changed_at=now,
                        source=RatingSource.MANUAL,
                        effective_from=now.date(),
                    )
                )
            updated += 1

        Enterprise.objects.bulk_create(to_create)
        if to_update:
            Enterprise.objects.bulk_update(to_update, [*sorted(update_fields), "updated_at"])
        for change in rating_changes:
            change.enterprise_id = change.enterprise.pk
        CreditRatingChange.objects.bulk_create(rating_changes)
        # bulk writes bypass auditlog's signals: their entries go through the audit door, in bulk.
        audit.record_bulk(
            (
                audit.Entry(
                    e,
                    action,
                    changes,
                    {"source": "csv_import", "import_id": job.pk, "line": line},
                )
                for e, action, changes, line in audit_rows
            ),
            actor=job.uploaded_by,
            timestamp=now,
        )
        new_errors = [
            {"line": r.line, "uscc": r.raw_uscc[:64], "errors": r.errors} for r in rows if r.errors
        ]
        progress.processed += len(rows)
        progress.created += created
        progress.updated += updated
        progress.unchanged += unchanged
        progress.errors.extend(new_errors)
        counters: dict[str, Any] = {
            "processed_rows": progress.processed,
            "created_count": progress.created,
            "updated_count": progress.updated,
            "unchanged_count": progress.unchanged,
            "error_count": len(progress.errors),
        }
        if new_errors:
            counters["errors"] = progress.errors
        EnterpriseImport.objects.filter(pk=job.pk).update(**counters)
    return True


def _fail(job: EnterpriseImport, message: str) -> EnterpriseImport:
    EnterpriseImport.objects.filter(pk=job.pk).update(
        status=EnterpriseImport.Status.FAILED, message=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def process_enterprise_import(*, import_id: int) -> EnterpriseImport:
    """Apply a stored CSV to the registry, chunk by chunk. Safe to run twice.

    An existing credit code is updated, a new one created, an identical one counted unchanged;
    bad rows are kept with their line numbers and reasons. Each chunk commits with the job's
    counters, so a worker that dies mid-file resumes after the last committed chunk, and a
    second worker on the same job stops at the first chunk the other one already wrote.
    """
    job = EnterpriseImport.objects.select_related("uploaded_by").get(pk=import_id)
    if job.status in (EnterpriseImport.Status.DONE, EnterpriseImport.Status.FAILED):
        return job
    claimed = EnterpriseImport.objects.filter(
        pk=job.pk, status__in=[EnterpriseImport.Status.PENDING, EnterpriseImport.Status.RUNNING]
    ).update(status=EnterpriseImport.Status.RUNNING)
    if not claimed:
        job.refresh_from_db()
        return job
    job.status = EnterpriseImport.Status.RUNNING

    with translation.override(settings.LANGUAGE_CODE):
        try:
            stream = job.file.open("rb")
        except (FileNotFoundError, OSError, ValueError):
            return _fail(job, _("找不到上传的文件，请重新上传。"))
        with stream:
            return _process_stream(job, stream)


def _process_stream(job: EnterpriseImport, stream: IO[bytes]) -> EnterpriseImport:
    encoding = _detect_encoding(stream)
    if encoding is None:
        return _fail(job, _("无法识别文件编码，或不是文本格式的 CSV。"))
    try:
        total = 0
        header_seen = False
        for _line, cells in _records(stream, encoding):
            if _is_blank(cells):
                continue
            if header_seen:
                total += 1
            header_seen = True
        if job.total_rows != total:
            EnterpriseImport.objects.filter(pk=job.pk).update(total_rows=total)
            job.total_rows = total

        vocab = _Vocabularies.load()
        progress = _Progress(
            processed=job.processed_rows,
            created=job.created_count,
            updated=job.updated_count,
            unchanged=job.unchanged_count,
            errors=list(job.errors or []),
        )
        already_done = job.processed_rows
        first_line: dict[str, int] = {}
        positions: dict[int, str] | None = None
        chunk: list[_Row] = []
        seen_rows = 0
        for line, cells in _records(stream, encoding):
            if _is_blank(cells):
                continue
            if positions is None:
                positions, problems = _map_header(cells)
                if problems:
                    return _fail(job, " ".join(problems))
                continue
            row = _parse_row(line, cells, positions, vocab)
            uscc = row.values.get("uscc")
            if uscc:
                if uscc in first_line:
                    row.errors.append(
                        _("与第 %(line)d 行的统一社会信用代码重复") % {"line": first_line[uscc]}
                    )
                else:
                    first_line[uscc] = line
            seen_rows += 1
            if seen_rows <= already_done:
                continue  # committed by an earlier run of this job
            chunk.append(row)
            if len(chunk) >= IMPORT_CHUNK_SIZE:
                if not _apply_chunk(job, chunk, progress):
                    job.refresh_from_db()
                    return job
                chunk = []
        if chunk and not _apply_chunk(job, chunk, progress):
            job.refresh_from_db()
            return job
    except (csv.Error, UnicodeDecodeError):
        return _fail(job, _("CSV 文件格式有误，无法读取。"))

    message = _("已处理 %(total)d 行。") % {"total": progress.processed}
    EnterpriseImport.objects.filter(pk=job.pk, status=EnterpriseImport.Status.RUNNING).update(
        status=EnterpriseImport.Status.DONE, finished_at=timezone.now(), message=message
    )
    job.refresh_from_db()
    return job


# --- CSV import: files handed back to the administrator ------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _safe_cell(value: Any) -> str:
    """Spreadsheet-safe text: a cell starting with = + - @ is not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def import_template_csv() -> str:
    """The header row of the import file, UTF-8 with BOM so that Excel opens it correctly."""
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer).writerow(IMPORT_HEADERS)
    return buffer.getvalue()


def import_error_report_csv(*, job: EnterpriseImport) -> str:
    """The rejected rows: line number, credit code, every reason; phone numbers masked."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(["行号", "信用代码", "错误原因"])
    for item in job.errors or []:
        reasons = "；".join(str(e) for e in item.get("errors", []))
        reasons = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), reasons)
        writer.writerow(
            [item.get("line", ""), _safe_cell(item.get("uscc", "")), _safe_cell(reasons)]
        )
    return buffer.getvalue()
