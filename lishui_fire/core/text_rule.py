"""The plain-text rule on every text field of the project, installed once by the kernel.

Every app's free text (venue names, reasons, findings, addresses …) refuses invisible control
and format characters (``validators.validate_plain_text``), whether it arrives through a page,
the API, the admin or an import — without any app having to ask for it:

* model ``CharField``/``TextField`` (and their subclasses): the rule is one of their
  ``default_validators``. ``full_clean`` runs it (admin, imports); ModelForms and
  ModelSerializers inherit it with the model field's validators. ``default_validators`` are
  not part of a field's migration state, so no migration changes.
* form ``CharField`` (Django, django-filter) and its subclasses: the same, for fields a form
  declares itself (a search box, a reason).
* DRF ``CharField`` and its subclasses: the same, for fields a serializer declares. DRF
  *replaces* the defaults when a field is given ``validators=[…]``: such a field must name the
  rule itself, and the guard test finds it if it does not.

Installed while the app registry is being populated (``CoreConfig.__init__``), before any model,
form or serializer field exists: a field copies its class's defaults when it is created.
"""

from __future__ import annotations

from typing import Any

from .validators import validate_plain_text


def _with_subclasses(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _with_subclasses(sub)
    return found


def text_field_classes() -> list[type]:
    """The field classes whose instances take free text (the roots of the three families)."""
    from django import forms
    from django.db import models
    from rest_framework import fields as drf

    return [models.CharField, models.TextField, forms.CharField, drf.CharField]


def _give_rule(cls: type) -> None:
    # A class without a list of its own inherits its parent's, which has the rule already.
    own: list[Any] = list(cls.__dict__.get("default_validators", []))
    if "default_validators" in cls.__dict__ and validate_plain_text not in own:
        cls.default_validators = [validate_plain_text, *own]  # type: ignore[attr-defined]


def install() -> None:
    for root in text_field_classes():
        if validate_plain_text not in root.__dict__.get("default_validators", []):
            root.default_validators = [  # type: ignore[attr-defined]
                validate_plain_text,
                *root.__dict__.get("default_validators", []),
            ]
        for cls in _with_subclasses(root)[1:]:
            _give_rule(cls)
