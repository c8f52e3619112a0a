"""Guard: no text field of the project escapes the plain-text rule (core/text_rule.py).

Walks every model text field, and every form and serializer class that the project's apps define
(every module of every app under the repository, tests and migrations aside), and fails naming
each free-text input field without ``validators.validate_plain_text``. A new app is covered the
day it is installed; a field that opts out by accident (``validators=[…]`` on a DRF field, a
form field class with its own ``default_validators``) is named here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import models
from rest_framework import serializers

from lishui_fire.core.validators import validate_plain_text

BASE_DIR = Path(__file__).resolve().parents[1]
SKIPPED_PARTS = {"tests", "migrations", "management"}


def project_packages() -> list[str]:
    # The project's own apps: under the checkout, but not the libraries of a virtualenv made
    # inside it (CI's clean clone has its .venv there).
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(BASE_DIR)
        and "site-packages" not in Path(config.path).resolve().parts
    ]


def import_project_modules() -> list[str]:
    names = []
    for package in project_packages():
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
            if SKIPPED_PARTS & set(info.name.split(".")):
                continue
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_classes(base: type) -> list[type]:
    prefixes = tuple(p + "." for p in project_packages())
    return sorted(
        {
            c
            for c in _subclasses(base)
            if c.__module__.startswith(prefixes)
            and not SKIPPED_PARTS & set(c.__module__.split("."))
        },
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def has_rule(field: Any) -> bool:
    return validate_plain_text in list(getattr(field, "validators", []))


def form_escapes(form_class: type[forms.BaseForm]) -> list[str]:
    try:
        fields = form_class().fields  # type: ignore[call-arg]
    except Exception:  # forms that need a user, an instance …: their class-level fields
        fields = form_class.base_fields  # type: ignore[attr-defined]
    return [
        name
        for name, field in fields.items()
        if isinstance(field, forms.CharField) and not field.disabled and not has_rule(field)
    ]


def serializer_escapes(serializer: Any, path: str = "") -> list[str]:
    found = []
    if isinstance(serializer, serializers.ListSerializer):
        return serializer_escapes(serializer.child, path + "[]")
    for name, field in serializer.fields.items():
        where = f"{path}{name}"
        if field.read_only:
            continue
        found += _field_escapes(field, where)
    return found


def _field_escapes(field: Any, where: str) -> list[str]:
    if isinstance(field, serializers.BaseSerializer):
        return serializer_escapes(field, where + ".")
    if isinstance(field, serializers.ListField | serializers.DictField):
        return _field_escapes(field.child, where + "[]")
    if isinstance(field, serializers.CharField) and not has_rule(field):
        return [where]
    return []


def serializer_class_escapes(serializer_class: type) -> list[str]:
    try:
        serializer = serializer_class()
        serializer.fields  # noqa: B018 - building the fields may need a context
    except Exception:
        serializer = serializers.Serializer()
        for name, field in serializer_class._declared_fields.items():
            serializer.fields[name] = field
    return serializer_escapes(serializer)


@pytest.fixture(scope="module")
def _project_modules() -> list[str]:
    return import_project_modules()


@pytest.mark.usefixtures("_project_modules")
def test_the_walk_reaches_the_apps_forms_and_serializers():
    names = {c.__name__ for c in project_classes(forms.BaseForm)}
    names |= {c.__name__ for c in project_classes(serializers.BaseSerializer)}
    assert {"PermitSerializer", "EnterpriseSerializer"} <= names
    assert len(project_classes(forms.BaseForm)) >= 20
    assert len(project_classes(serializers.BaseSerializer)) >= 30


@pytest.mark.django_db
def test_every_model_text_field_has_the_rule():
    escapes = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not has_rule(field)
    ]
    assert not escapes, escapes


@pytest.mark.django_db
@pytest.mark.usefixtures("_project_modules")
def test_every_form_text_field_has_the_rule():
    escapes = [
        f"{c.__module__}.{c.__qualname__}.{name}"
        for c in project_classes(forms.BaseForm)
        for name in form_escapes(c)
    ]
    assert not escapes, "form fields without validate_plain_text:\n" + "\n".join(escapes)


@pytest.mark.django_db
@pytest.mark.usefixtures("_project_modules")
def test_every_serializer_text_field_has_the_rule():
    escapes = [
        f"{c.__module__}.{c.__qualname__}.{name}"
        for c in project_classes(serializers.BaseSerializer)
        if not issubclass(c, serializers.ListSerializer)
        for name in serializer_class_escapes(c)
    ]
    assert not escapes, "serializer fields without validate_plain_text:\n" + "\n".join(escapes)


def test_the_guard_names_a_field_that_opts_out():
    """The checks above can fail: fields that lose the rule are named."""

    class OwnDefaults(forms.CharField):
        default_validators: list[Any] = []  # replaces the inherited list, rule included

    class EscapingForm(forms.Form):
        ok = forms.CharField()
        escaped = OwnDefaults()

    class EscapingSerializer(serializers.Serializer):
        ok = serializers.CharField()
        escaped = serializers.CharField(validators=[])  # DRF replaces the defaults
        nested = serializers.ListField(child=serializers.CharField(validators=[]))
        shown = serializers.CharField(read_only=True, validators=[])

    assert form_escapes(EscapingForm) == ["escaped"]
    assert serializer_class_escapes(EscapingSerializer) == ["escaped", "nested[]"]
