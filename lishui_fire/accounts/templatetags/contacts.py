"""``{% unit_contact unit %}``: a unit's hotline as a ``tel:`` link, its window as a map link."""

from __future__ import annotations

from django import template

from lishui_fire.accounts.contacts import contact_for
from lishui_fire.accounts.models import OrgUnit

register = template.Library()


@register.inclusion_tag("accounts/_contact.html")
def unit_contact(unit: OrgUnit | None = None, compact: bool = False) -> dict[str, object]:
    """The contact block; with no unit, the detachment's (the footer)."""
    return {"contact": contact_for(unit), "compact": compact}


@register.simple_tag
def unit_contact_data(unit: OrgUnit | None = None):  # type: ignore[no-untyped-def]
    """The ``Contact`` itself, for a template that lays it out its own way:
    ``{% unit_contact_data brigade as c %}<a href="{{ c.tel }}">{{ c.hotline }}</a>``."""
    return contact_for(unit)
