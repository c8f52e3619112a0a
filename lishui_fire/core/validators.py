"""Validators for identifiers the portal receives: checksummed, with translated messages.

* Unified social credit code (统一社会信用代码), GB 32100-2015.
* Resident identity card number (公民身份号码), GB 11643-1999.
* Mainland China mobile number.

Each ``is_valid_*`` is a pure predicate (for rules and property tests); each ``validate_*`` raises
a Django ``ValidationError`` with a message in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# fullmatch and [0-9], not ^…$ and \d: "$" also matches before a trailing newline, and \d matches
# any Unicode digit (full-width ３, Arabic-Indic ٣), which the checksum tables do not contain.
# Positions 3–8 are the registering authority's administrative division code (GB/T 2260): digits.
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

_MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    if not isinstance(value, str) or not _USCC_SHAPE.fullmatch(value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(value: str, *, today: dt.date | None = None) -> bool:
    """A real 18-digit resident ID: checksum right and a birth date that exists and is past."""
    if not isinstance(value, str) or not _ID_SHAPE.fullmatch(value):
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    # The portal's today (Asia/Shanghai), not the server's: a UTC host is 8 hours behind.
    if born.year < 1900 or born > (today or timezone.localdate()):
        return False
    return id_check_char(value[:17]) == value[17]


def is_valid_mainland_mobile(value: str) -> bool:
    return isinstance(value, str) and bool(_MOBILE_SHAPE.fullmatch(value))


def normalise_code(value: str | None) -> str:
    """Codes are often typed with spaces, in lower case or in full width (Chinese input methods:
    ９１３３…, ｘ); compare them in canonical form: half width, no whitespace, upper case."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def validate_uscc(value: str) -> None:
    if not is_valid_uscc(normalise_code(value)):
        raise ValidationError(
            _("统一社会信用代码无效：应为 18 位，且校验位正确。"), code="invalid_uscc"
        )


def validate_id_number(value: str) -> None:
    if not is_valid_id_number(normalise_code(value)):
        raise ValidationError(
            _("公民身份号码无效：应为 18 位，出生日期和校验位正确。"), code="invalid_id_number"
        )


def validate_mainland_mobile(value: str) -> None:
    if not is_valid_mainland_mobile(str(value).strip()):
        raise ValidationError(_("手机号码无效：应为 11 位，以 1 开头。"), code="invalid_mobile")


# A number people are told to call: a mainland mobile, a fixed line with its area code
# (0578-2121119, 0578 2121119), or a short service number (119, 12345, 96119).
_PHONE_SHAPE = re.compile(r"(1[3-9][0-9]{9}|0[0-9]{2,3}[- ]?[0-9]{7,8}|[0-9]{3,5})")


def is_valid_phone_number(value: str) -> bool:
    return isinstance(value, str) and bool(_PHONE_SHAPE.fullmatch(value.strip()))


def tel_uri(value: str) -> str:
    """The ``tel:`` address of a number as shown (0578-2121119 → tel:05782121119)."""
    return "tel:" + "".join(ch for ch in value if ch.isdigit())


def validate_phone_number(value: str) -> None:
    if not is_valid_phone_number(value):
        raise ValidationError(
            _("电话号码无效：应为手机号码、带区号的固定电话（如 0578-2121119）或服务号码。"),
            code="invalid_phone_number",
        )


# --- Plain text: no invisible control or format characters ---------------------------------------
# A right-to-left override (U+202E) in a venue name reverses the wording of the decision letter
# it is printed in; a zero-width space makes two names that look alike differ; a NUL or another
# C0 control breaks PostgreSQL, PDFs and CSV exports. Free text may hold none of them: only the
# ordinary line breaks and tabs of multi-line text (\n, \r, \t).
# Cc: C0/C1 controls; Cf: format (U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF, soft
# hyphen …); Cs: lone surrogates; Zl/Zp: U+2028/U+2029, invisible line and paragraph breaks.
# Private-use characters (Co) stay allowed: rare characters of personal names live there in
# older GB 18030 systems.
REFUSED_TEXT_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
ALLOWED_CONTROL_CHARACTERS = frozenset("\t\n\r")


def invisible_characters(text: str) -> list[str]:
    """The refused characters of ``text``, each once, in order of appearance."""
    if text.isprintable():  # fast path: no Cc, Cf, Cs, Zl, Zp (nor Zs other than space)
        return []
    found: dict[str, None] = {}
    for ch in text:
        if ch not in ALLOWED_CONTROL_CHARACTERS and (
            unicodedata.category(ch) in REFUSED_TEXT_CATEGORIES
        ):
            found[ch] = None
    return list(found)


def _collect(value: object, found: dict[str, None]) -> None:
    # Strings, and the strings inside what a JSON or array field has parsed.
    if isinstance(value, str):
        found.update(dict.fromkeys(invisible_characters(value)))
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(key, found)
            _collect(item, found)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _collect(item, found)


def describe_character(ch: str) -> str:
    """``U+202E``: how the message names a character that cannot be shown."""
    return f"U+{ord(ch):04X}"


@deconstructible
class PlainTextValidator:
    """Refuses free text with control or format characters (see ``REFUSED_TEXT_CATEGORIES``).

    The kernel gives it to every text field of every model, form and serializer
    (``core/text_rule.py``); ``tests/test_guards.py`` fails when one escapes it.
    """

    code = "invisible_character"

    def __call__(self, value: object) -> None:
        found: dict[str, None] = {}
        _collect(value, found)
        if found:
            raise ValidationError(
                _(
                    "不能包含不可见的控制字符或格式字符（%(characters)s）：它们会隐藏内容或"
                    "颠倒文字的显示顺序，请删除后重新输入。"
                ),
                code=self.code,
                params={"characters": "、".join(describe_character(ch) for ch in list(found)[:5])},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainTextValidator)

    def __hash__(self) -> int:
        return hash(PlainTextValidator)


validate_plain_text = PlainTextValidator()
