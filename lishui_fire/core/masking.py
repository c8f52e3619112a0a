"""Masking of personal data for lists, public pages, PDFs and CSV exports (PIPL).

The full value is shown only to staff who need it, through a view that audits the access
(``lishui_fire.core.audit.record_view``). :func:`personal_number_fields` names the fields that
hold such numbers, found by their validators, so that the admin and the audit log's diffs mask or
audit every one of them, including those of apps added later.
"""

from __future__ import annotations

from typing import Any

MASK = "*"


def _text(value: object) -> str:
    # Tolerate a number or a lazy string: a crash here would be a 500 on a public page.
    return "" if value is None else str(value).strip()


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        # Too short to show any part safely: hide all but the first character.
        return value[:1] + MASK * (len(value) - 1) if value else value
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + MASK * hidden + (value[-keep_end:] if keep_end else "")


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678 (the common Chinese display form)."""
    value = _text(value)
    return _mask_middle(value, 3, 4) if value else ""


def mask_id_number(value: str | None) -> str:
    """330102199001011234 → 330***********1234: region prefix and birth date hidden."""
    value = _text(value)
    return _mask_middle(value, 3, 4) if value else ""


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name stays readable."""
    value = _text(value)
    return value[:1] + MASK * (len(value) - 1) if value else ""


def mask_email(value: str | None) -> str:
    value = _text(value)
    if "@" not in value:
        return _mask_middle(value, 1, 0)
    local, domain = value.split("@", 1)
    return f"{local[:1]}{MASK * max(len(local) - 1, 1)}@{domain}"


def mask_personal_number(value: str | None) -> str:
    """A phone or ID number in the audit log's diffs (``AUDITLOG`` ``mask_callable``)."""
    return mask_id_number(value) if len(_text(value)) > 11 else mask_phone(value)


def personal_number_fields(model: Any) -> list[str]:
    """The model's fields holding a phone or ID-card number: those with the kernel's
    ``validate_mainland_mobile`` or ``validate_id_number`` validator."""
    from .validators import validate_id_number, validate_mainland_mobile

    wanted = (validate_mainland_mobile, validate_id_number)
    return [
        f.name
        for f in model._meta.concrete_fields
        if any(v in wanted for v in getattr(f, "validators", ()))
    ]
