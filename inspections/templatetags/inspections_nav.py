"""The roster pages' links for the other parts' navigation (those the reader may open)."""

from typing import Any

from django import template

from .. import policies

register = template.Library()


@register.simple_tag(takes_context=True)
def roster_links(context: Any) -> dict[str, bool]:
    user = context["request"].user
    return {
        "declare": policies.can_declare_conflict(user),
        "register": policies.can_read_register(user),
        "certificates": policies.can_read_certificates(user),
    }
