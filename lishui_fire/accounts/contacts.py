"""Whom to call and where to go: a unit's hotline, window and hours, as data (issue 9).

Every page that tells people to "call or visit the brigade" shows the brigade's own contact through
``{% unit_contact unit %}`` (accounts/templatetags/contacts.py), so a number is never typed into a
template. A unit with nothing entered yet falls back to its parent (the detachment), then to the
12345 government service hotline, which answers for every department in Zhejiang.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db import DatabaseError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.validators import tel_uri

from .models import OrgUnit

FALLBACK_HOTLINE = "12345"
EMERGENCY_NUMBER = "119"
# A map search for the window's address (Amap's URI API opens the app on a phone and the web map
# on a desktop; no key, no script on our pages).
MAP_SEARCH_URL = "https://uri.amap.com/search?keyword={keyword}&city=331100&callnative=1"


@dataclass(frozen=True)
class Contact:
    unit_name: str
    hotline: str
    hotline_label: str
    window_address: str
    opening_hours: str

    @property
    def tel(self) -> str:
        return tel_uri(self.hotline)

    @property
    def map_url(self) -> str:
        return map_url(self.window_address) if self.window_address else ""


def map_url(address: str) -> str:
    return MAP_SEARCH_URL.format(keyword=quote(address))


# Every unit's contact fields (a detachment and its nine brigades), kept in each process: the
# footer of every page and each "call your brigade" block read them from memory, not with a
# query or a cache round trip per page (ADR 0033). A unit's save or delete clears this process's
# copy at once (accounts/receivers.py); other processes read the table again within
# ``UNITS_MEMO_SECONDS``, as does every process after a write that sends no signal
# (``QuerySet.update``, a data migration).
UNITS_MEMO_SECONDS = 60
_FIELDS = (
    "id",
    "parent_id",
    "kind",
    "name_zh",
    "name_en",
    "hotline",
    "window_address",
    "opening_hours",
)

Row = dict[str, Any]
_memo: dict[str, Any] = {"units": None, "until": 0.0}


def _units() -> dict[int, Row]:
    """The units' contact fields by primary key: this process's copy, else one query. A
    database that is down gives none (the page still names 12345 and 119)."""
    units = _memo["units"]
    now = time.monotonic()
    if units is None or now >= _memo["until"]:
        try:
            units = {row["id"]: row for row in OrgUnit.objects.values(*_FIELDS)}
        except DatabaseError:
            return {}
        _memo.update(units=units, until=now + UNITS_MEMO_SECONDS)
    return units


def invalidate_contacts() -> None:
    """Forget this process's copy of the units (one was saved or deleted)."""
    _memo.update(units=None, until=0.0)


def contact_for(unit: OrgUnit | None) -> Contact:
    """The contact of ``unit``, completed from its parent where a field is blank."""
    units = _units()
    chain: list[Row] = []
    row: Row | None = {f: getattr(unit, f) for f in _FIELDS} if unit is not None else None
    while row is not None and len(chain) < 3:
        chain.append(row)
        parent = row["parent_id"]
        row = None if parent is None else units.get(parent)
    if not chain or chain[-1]["kind"] != OrgUnit.Kind.DETACHMENT:
        # The first detachment by primary key, as OrgUnit.objects.filter(kind=…).first() reads.
        detachments = [r for r in units.values() if r["kind"] == OrgUnit.Kind.DETACHMENT]
        if detachments:
            chain.append(min(detachments, key=lambda r: r["id"]))

    def first(field: str) -> str:
        return next((u[field] for u in chain if u[field]), "")

    hotline = first("hotline")
    english = (get_language() or "zh-hans").startswith("en")
    return Contact(
        unit_name=(
            chain[0]["name_en" if english else "name_zh"] if chain else str(_("丽水市消防救援支队"))
        ),
        hotline=hotline or FALLBACK_HOTLINE,
        hotline_label=str(_("咨询电话")) if hotline else str(_("政务服务热线")),
        window_address=first("window_address"),
        opening_hours=first("opening_hours"),
    )


# Named when a unit and its parent have none entered (the detachment's, seeded by migration 0005).
DEFAULT_RECONSIDERATION_BODY = "丽水市人民政府"


def reconsideration_body(unit: OrgUnit | None) -> str:
    """The body a letter of ``unit`` names for administrative reconsideration: data per unit
    (OrgUnit.reconsideration_body), else its parent's, else the city's people's government."""
    node = unit
    while node is not None:
        if node.reconsideration_body:
            return node.reconsideration_body
        node = node.parent
    return DEFAULT_RECONSIDERATION_BODY


def issuing_authority(unit: OrgUnit) -> str:
    """The issuing authority as an official document prints it: a district of the city carries
    the city's name (丽水市莲都区消防救援大队); a county-level city or a county stands alone
    (龙泉市消防救援大队, 缙云县消防救援大队), and so does a name that already starts with the city."""
    name = unit.name_zh
    division = unit.division_name or ""
    if division.endswith("区") and not name.startswith("丽水市"):
        return f"丽水市{name}"
    return name


def units_with_contacts() -> list[OrgUnit]:
    """Every unit, the detachment first, each with its parent loaded (``contact_for`` walks it):
    the 联系我们 page in one query."""
    return list(OrgUnit.objects.select_related("parent").order_by("sort_order", "code"))
