"""How an app plugs into the portal: optional attributes on its ``AppConfig``.

The kernel (``lishui_fire.core``, ``lishui_fire.accounts``, the site templates) names no domain
app. It reads these attributes from every installed ``AppConfig``, in ``INSTALLED_APPS`` order,
so a new app adds its own folder, one line in ``INSTALLED_APPS`` and its URL include, and
touches no kernel file::

    # hydrants/apps.py (a made-up app: fire hydrants and water sources)
    class HydrantsConfig(AppConfig):
        name = "hydrants"
        verbose_name = _("消防水源")

        home_links = (Measure(9, _("消防水源"), _("查询身边的消火栓。"), "hydrants:index"),)
        role_homes = {"inspector": "hydrants:today"}  # Role values
        overview_panel = "hydrants.overview.panel"
        demo = "hydrants.demo.seed"
        beat_schedule = "hydrants.schedules.BEAT_SCHEDULE"
        reference_seeds = ("hydrants.migrations.0002_seed_hydrant_kinds.seed",)
        api_enum_names = {"HydrantKindEnum": "hydrants.models.HydrantKind"}
        event_handlers = {"hydrant_out_of_service": "hydrants.services.warn_the_stations"}

Every attribute is optional. Code is named by dotted path and imported only when the kernel
needs it, so ``apps.py`` imports no models (``Measure`` is safe to import there; roles are
written as their ``Role`` values).

``home_links``
    The app's measures on the public home page: ``Measure(number, title, text, url_name)``. The
    page lists the measures of every app ordered by number (an app may serve two measures; two
    apps may not claim the same number).
``home_tasks``
    The citizen's tasks, the home page's first four tiles: ``HomeTask(slot, title, text,
    url_name)``, ``slot`` one of ``TASK_SLOTS`` (预约体检 ``book``, 我要申请 ``apply``, 进度查询
    ``progress``, 我要咨询 ``consult``). The kernel fills ``progress`` (its look-up by reference
    and SMS code) and ``consult`` (the contact page) itself; an app that claims one of those takes
    it over (a consultation app, ``consult``). Two apps may not claim the same slot.
``progress_lookup``
    A function ``find(reference) -> CaseProgress | None``: the app's case with that reference,
    as the public progress look-up shows it (``core/progress.py``); the phone on the case is
    compared there and never shown unmasked.
``role_homes``
    ``{role value: URL name}``: where a user of that role lands after signing in
    (``accounts:home``).
    Supervisors and administrators land on the overview unless an app claims them; a role
    claimed by two apps is a configuration error (give that role one workbench page instead).
``overview_panel``
    A function ``panel(request) -> Panel | None``. The supervisors' ``/overview/`` page renders
    every app's panel in order: ``Panel(template, context)``, the template being one
    ``<section>`` under an ``<h2>``, rendered with the request (``user``, ``csrf_token``);
    ``None`` leaves the app out for this user (e.g. not their role).
``demo``
    A function ``seed(stdout)`` that ``manage.py seed_demo`` calls after the demo accounts, inside
    its one transaction. It must be idempotent (a second run creates nothing); it finds the demo
    accounts by username (``seed_demo.DEMO_USERS``).
``beat_schedule``
    A dict in Celery's beat format (name → {"task", "schedule", optional "args", "kwargs",
    "options", "description"}), copied into django-celery-beat by ``sync_beat_schedule``. Names
    are prefixed with the app label and unique across apps (see ``core/schedules.py``).
``reference_seeds``
    Seed functions ``seed(apps, schema_editor)`` of the app's data migrations (brigades, time
    limits, vocabularies …). Transactional tests flush every table; ``ensure_reference_data``
    runs these again, in app order, so they must be idempotent (``update_or_create``).
``api_enum_names``
    ``{schema name: dotted path of a choices class}`` for drf-spectacular's
    ``ENUM_NAME_OVERRIDES``, when two apps' choice sets share a field name (``venue_type``);
    merged into the settings when the kernel starts (``CoreConfig.ready``).
``event_handlers``
    ``{event name: dotted path of a function handler(**payload)}``: what the app does when
    another app announces the event with :func:`announce` (a permit granted on the commitment
    path opens the brigade's on-site verification). The announcing app names no listener and
    imports none of its code; the handlers run in the announcer's transaction, in app order, with
    plain values (ids, references), never another app's model instances.

URLs are the one thing the kernel still lists: ``lishui_fire/urls.py`` includes each app's
``urls`` (and its API routes under ``/api/v1/``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measure:
    """One of the eight measures (八项举措) as an entry on the public home page."""

    number: int
    title: Any  # a lazy translation
    text: Any
    url_name: str


# The home page's task tiles, in page order (issue 9: the tasks first, one tap on a phone).
TASK_SLOTS = ("book", "apply", "progress", "consult")


@dataclass(frozen=True)
class HomeTask:
    """One of the home page's task tiles; ``slot`` is one of ``TASK_SLOTS``."""

    slot: str
    title: Any  # a lazy translation
    text: Any
    url_name: str


def _kernel_tasks() -> dict[str, HomeTask]:
    return {
        "progress": HomeTask(
            "progress",
            _("进度查询"),
            _("凭申请编号和预留手机号码查询办理进度，无需登录。"),
            "core:progress",
        ),
        "consult": HomeTask(
            "consult",
            _("我要咨询"),
            _("各大队咨询电话、办事窗口地址和办公时间。"),
            "core:contacts",
        ),
    }


@dataclass(frozen=True)
class Panel:
    """An app's section of the overview page: a template and what it needs."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPanel:
    label: str
    html: str


def _configs() -> Iterator[AppConfig]:
    yield from apps.get_app_configs()


def _resolve(config: AppConfig, attribute: str) -> Any:
    path = getattr(config, attribute, None)
    if path is None:
        return None
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"{config.name}: {attribute} must be a dotted path")
    return import_string(path)


def home_links() -> tuple[Measure, ...]:
    """Every app's measures, ordered by number."""
    found: dict[int, tuple[str, Measure]] = {}
    for config in _configs():
        for measure in getattr(config, "home_links", ()):
            if measure.number in found:
                other = found[measure.number][0]
                raise ImproperlyConfigured(
                    f"measure {measure.number} is claimed by {other} and {config.name}"
                )
            found[measure.number] = (config.name, measure)
    return tuple(measure for _n, (_app, measure) in sorted(found.items()))


def home_tasks() -> tuple[HomeTask, ...]:
    """The home page's task tiles in ``TASK_SLOTS`` order: an app's claim, else the kernel's."""
    claimed: dict[str, tuple[str, HomeTask]] = {}
    for config in _configs():
        for task in getattr(config, "home_tasks", ()):
            if task.slot not in TASK_SLOTS:
                raise ImproperlyConfigured(f"{config.name}: unknown home task slot {task.slot!r}")
            if task.slot in claimed:
                raise ImproperlyConfigured(
                    f"home task {task.slot!r} is claimed by {claimed[task.slot][0]} and {config.name}"
                )
            claimed[task.slot] = (config.name, task)
    kernel = _kernel_tasks()
    found = []
    for slot in TASK_SLOTS:
        if slot in claimed:
            found.append(claimed[slot][1])
        elif slot in kernel:
            found.append(kernel[slot])
    return tuple(found)


def progress_finders() -> list[Callable[[str], Any]]:
    """Every app's ``find(reference)`` for the public progress look-up, in app order."""
    finders = []
    for config in _configs():
        find = _resolve(config, "progress_lookup")
        if find is not None:
            finders.append(find)
    return finders


def role_homes() -> dict[str, str]:
    """Role → URL name of its landing page, as the apps claim them."""
    found: dict[str, tuple[str, str]] = {}
    for config in _configs():
        for role, url_name in getattr(config, "role_homes", {}).items():
            if role in found:
                raise ImproperlyConfigured(
                    f"the home of role {role!r} is claimed by {found[role][0]} and {config.name}"
                )
            found[str(role)] = (config.name, url_name)
    return {role: url_name for role, (_app, url_name) in found.items()}


def overview_panels(request: HttpRequest) -> list[RenderedPanel]:
    """The overview page's sections for this request, rendered, in app order."""
    panels = []
    for config in _configs():
        provider: Callable[[HttpRequest], Panel | None] | None = _resolve(config, "overview_panel")
        if provider is None:
            continue
        panel = provider(request)
        if panel is not None:
            html = render_to_string(panel.template, dict(panel.context), request=request)
            panels.append(RenderedPanel(config.label, html))
    return panels


def demo_seeders() -> list[tuple[str, Callable[[TextIO], None]]]:
    """(app label, ``seed(stdout)``) of every app that ships demo data, in app order."""
    seeders = []
    for config in _configs():
        seed = _resolve(config, "demo")
        if seed is not None:
            seeders.append((config.label, seed))
    return seeders


def beat_schedules() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """(app name, ``BEAT_SCHEDULE``) of every app that has periodic jobs, in app order."""
    found = []
    for config in _configs():
        schedule = _resolve(config, "beat_schedule")
        if schedule is not None:
            found.append((config.name, schedule))
    return found


def api_enum_names() -> dict[str, str]:
    """Every app's OpenAPI enum names; a name used twice is a configuration error."""
    found: dict[str, str] = {}
    for config in _configs():
        for name, choices in getattr(config, "api_enum_names", {}).items():
            if name in found and found[name] != choices:
                raise ImproperlyConfigured(f"OpenAPI enum name {name!r} is declared twice")
            found[name] = choices
    return found


def install_api_enum_names() -> None:
    """Merge the apps' enum names into drf-spectacular's settings (called once at start-up)."""
    from django.conf import settings

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    for name, choices in api_enum_names().items():
        if overrides.get(name, choices) != choices:
            raise ImproperlyConfigured(f"OpenAPI enum name {name!r} is declared twice")
        overrides[name] = choices


def reference_seeds() -> list[Callable[[Any, Any], None]]:
    """Every app's reference-data seed functions, in app order (dependency order)."""
    seeds = []
    for config in _configs():
        for path in getattr(config, "reference_seeds", ()):
            seeds.append(import_string(path))
    return seeds


def event_handlers(event: str) -> list[Callable[..., Any]]:
    """Every installed app's handlers of ``event``, in app order."""
    handlers = []
    for config in _configs():
        path = getattr(config, "event_handlers", {}).get(event)
        if path:
            handlers.append(import_string(path))
    return handlers


def announce(event: str, **payload: Any) -> list[Any]:
    """Tell the apps that listen (``event_handlers``) that ``event`` happened; their answers,
    in app order. With no listener installed nothing happens."""
    return [handler(**payload) for handler in event_handlers(event)]
