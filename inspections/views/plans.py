"""Pages of spot-check plans: the public column (一公开: plans, versions, commitment, draw,
verification, results) and the supervisors' pages (draft, publish, draw, void, results).

Every state change is a POST that calls ``services.plans`` and redirects with a message (PRG);
a refused move or a stale page is a message, never a 500.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import policy_required
from lishui_fire.accounts.models import OrgUnit, User
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name
from lishui_fire.enterprises.selectors import credit_grades_by_code

from .. import policies
from .. import selectors_plans as selectors
from ..models import InspectionPlan, PlanStatus, VenueClass
from ..services import plans as services

supervisor_pages = policy_required(policies.can_write_plans)


# --- Forms ----------------------------------------------------------------------------------
def _ratio_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=gettext_lazy("抽查比例（%），留空表示不抽查该类单位；信用等级系数自动计入。"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("计划名称"), max_length=128)
    period_start = forms.DateField(
        label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("结束日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    brigades = forms.ModelMultipleChoiceField(
        label=gettext_lazy("抽查大队"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    ratio_crowded_key = _ratio_field(VenueClass.CROWDED_KEY.label)
    ratio_other_key = _ratio_field(VenueClass.OTHER_KEY.label)
    ratio_general = _ratio_field(VenueClass.GENERAL.label)
    ratio_penalised = _ratio_field(VenueClass.PENALISED.label)
    items = forms.CharField(
        label=gettext_lazy("检查事项"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "每行一项，一次检查全部覆盖；可在前面写代码并用“|”分隔，如“A1|疏散通道是否畅通”。"
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    CLASS_FIELDS = {
        VenueClass.CROWDED_KEY: "ratio_crowded_key",
        VenueClass.OTHER_KEY: "ratio_other_key",
        VenueClass.GENERAL: "ratio_general",
        VenueClass.PENALISED: "ratio_penalised",
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        brigades = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE)
        if not user.sees_all_brigades:
            brigades = brigades.filter(pk=user.org_unit_id)
        self.fields["brigades"].queryset = brigades

    def clean_items(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            line = line.strip()
            if not line:
                continue
            code, sep, text = line.partition("|")
            if not sep:
                code, text = "", line
            rows.append((code.strip(), text.strip()))
        if not rows:
            raise ValidationError(_("请至少填写一项检查事项。"))
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(cleaned.get(f) for f in self.CLASS_FIELDS.values()):
            self.add_error("ratio_general", _("请至少为一类单位填写抽查比例。"))
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        classes = {}
        for code, field in self.CLASS_FIELDS.items():
            if data.get(field):
                classes[str(code)] = (data[field] / 100).quantize(Decimal("0.0001"))
        return {
            "title": data["title"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "brigades": list(data["brigades"]),
            "classes": classes,
            "items": data["items"],
            "description": data.get("description", ""),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        for field, errors in exc.message_dict.items():
            target = {"classes": "ratio_general"}.get(field, field)
            for error in errors:
                self.add_error(target if target in self.fields else None, error)

    @classmethod
    def initial_for(cls, plan: InspectionPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": plan.title,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "brigades": list(plan.brigades.all()),
            "description": plan.description,
            "items": "\n".join(
                f"{i.code}|{i.text}" if i.code else i.text for i in plan.items.all()
            ),
        }
        for item in plan.classes.all():
            initial[cls.CLASS_FIELDS[item.venue_class]] = (item.base_ratio * 100).normalize()
        return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


# --- Presentation ----------------------------------------------------------------------------
def _percent(ratio: Any) -> str:
    try:
        value = (Decimal(str(ratio)) * 100).quantize(Decimal("0.01")).normalize()
    except InvalidOperation:
        return str(ratio)
    return f"{value:f}%"


def _ratio_table(plan: InspectionPlan) -> dict[str, Any]:
    grades = sorted(credit_grades_by_code().values(), key=lambda g: (g.sort_order, g.code))
    by_key = {(r.venue_class, r.grade): r for r in plan.ratios.all()}
    codes = [g.code for g in grades]
    for r in plan.ratios.all():
        if r.grade not in codes:
            codes.append(r.grade)
    rows = []
    for item in plan.classes.all():
        rows.append(
            {
                "label": VenueClass(item.venue_class).label,
                "base": _percent(item.base_ratio),
                "cells": [
                    _percent(by_key[(item.venue_class, c)].ratio)
                    if (item.venue_class, c) in by_key
                    else "—"
                    for c in codes
                ],
            }
        )
    return {"grades": codes, "rows": rows}


def _versions(plan: InspectionPlan) -> list[InspectionPlan]:
    """Every version of the plan's line, oldest first (a handful of rows)."""
    first = plan
    while first.previous_id:
        first = first.previous
    chain = [first]
    while True:
        following = InspectionPlan.objects.filter(previous=chain[-1]).first()
        if following is None:
            break
        chain.append(following)
    return chain


def _draw_rows(plan: InspectionPlan) -> dict[str, Any] | None:
    draw = getattr(plan, "draw", None)
    if draw is None:
        return None
    data = plan.published_data or {}
    by_id = {c["id"]: c for c in data.get("candidates", [])}
    codes = {i["id"]: i["code"] for i in data.get("inspectors", [])}
    officer_ids = {i for s in draw.result.get("selected", []) for i in s["inspectors"]}
    names = dict(User.objects.filter(pk__in=officer_ids).values_list("pk", "real_name"))

    def person(pk: int) -> str:
        masked = mask_name(names.get(pk, ""))
        code = codes.get(pk, "")
        return f"{masked}（{code}）" if masked and code else masked or code

    rows = [
        {
            "name": by_id.get(s["candidate"], {}).get("name", s["candidate"]),
            "uscc": by_id.get(s["candidate"], {}).get("uscc", ""),
            "brigade": by_id.get(s["candidate"], {}).get("brigade", ""),
            "class": _class_label(by_id.get(s["candidate"], {}).get("class", "")),
            "grade": by_id.get(s["candidate"], {}).get("grade", ""),
            "inspectors": [person(i) for i in s["inspectors"]],
        }
        for s in draw.result.get("selected", [])
    ]
    unassigned = [
        {
            "name": by_id.get(u["candidate"], {}).get("name", u["candidate"]),
            "reason": u.get("reason", ""),
        }
        for u in draw.result.get("unassigned", [])
    ]
    return {"draw": draw, "rows": rows, "unassigned": unassigned}


def _class_label(code: str) -> str:
    try:
        return str(VenueClass(code).label)
    except ValueError:
        return code


def _plan_context(plan: InspectionPlan) -> dict[str, Any]:
    following = getattr(plan, "next_version", None)
    return {
        "plan": plan,
        "ratio_table": _ratio_table(plan),
        "versions": _versions(plan),
        "next_version": following,
        "draw": _draw_rows(plan),
        "candidate_count": len(plan.published_data["candidates"]) if plan.published_data else 0,
        "results": list(plan.published_results.all()),
        "late": selectors.late_results(plan, now=timezone.now()) if hasattr(plan, "draw") else [],
    }


# --- Public pages ---------------------------------------------------------------------------
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "inspections/plans/public_list.html", {"plans": selectors.public_plans()}
    )


def _public_plan(pk: int) -> InspectionPlan:
    return get_object_or_404(
        selectors.plan_detail_queryset().exclude(status=PlanStatus.DRAFT), pk=pk
    )


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _public_plan(pk)
    return render(request, "inspections/plans/public_detail.html", _plan_context(plan))


@require_GET
def public_verify(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _public_plan(pk)
    try:
        report = services.verify_plan_draw(plan)
    except DomainError as exc:
        messages.info(request, str(exc))
        return redirect("inspections:plan", pk=plan.pk)
    return render(request, "inspections/plans/verify.html", {"plan": plan, "report": report})


@require_GET
def public_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The published plan as JSON, the document scripts/verify_draw.py reads."""
    from ..api.plans import PublicPlanSerializer

    plan = _public_plan(pk)
    response = JsonResponse(
        PublicPlanSerializer(plan).data, json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="inspection-plan-{plan.pk}.json"'
    return response


# --- Supervisors' pages --------------------------------------------------------------------------
@supervisor_pages
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    plans = policies.plans_for_user(request.user).prefetch_related("brigades").order_by("-pk")
    return render(request, "inspections/plans/staff_list.html", {"plans": plans})


@supervisor_pages
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("计划草稿已保存。公开前可以继续修改。"))
            return redirect("inspections:plan_staff", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "inspections/plans/form.html", {"form": form, "plan": None}, status=status
    )


@supervisor_pages
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = policies.get_plan_for_user(request.user, pk)
    if not policies.can_act_on_plan(request.user, plan):
        raise PermissionDenied
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, _("计划已公开，不能再修改；如需变更，请修订为新版本并说明理由。"))
        return redirect("inspections:plan_staff", pk=plan.pk)
    form = PlanForm(request.POST or None, user=request.user, initial=PlanForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft_plan(actor=request.user, plan=plan, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("inspections:plan_staff", pk=plan.pk)
        else:
            messages.success(request, _("计划草稿已保存。"))
            return redirect("inspections:plan_staff", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "inspections/plans/form.html", {"form": form, "plan": plan}, status=status
    )


@supervisor_pages
@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policies.get_plan_for_user(request.user, pk)
    plan = selectors.plan_detail_queryset().get(pk=pk)
    context = _plan_context(plan)
    context["can_act"] = policies.can_act_on_plan(request.user, plan)
    context["reason_form"] = ReasonForm()
    return render(request, "inspections/plans/staff_detail.html", context)


def _act(request: HttpRequest, pk: int, done: str, run: Any) -> HttpResponse:
    plan = policies.get_plan_for_user(request.user, pk)
    try:
        outcome = run(plan)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
        if isinstance(outcome, InspectionPlan) and outcome.pk != plan.pk:
            return redirect("inspections:plan_staff", pk=outcome.pk)
    return redirect("inspections:plan_staff", pk=plan.pk)


@supervisor_pages
@require_POST
def staff_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, _("计划已公开，抽取承诺（随机种子哈希和名录指纹）已同时公布。"),
        lambda plan: services.publish_plan(actor=request.user, plan=plan),
    )  # fmt: skip


@supervisor_pages
@require_POST
def staff_draw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, _("抽取完成：随机种子已公开，检查任务已派发给抽中的检查人员。"),
        lambda plan: services.draw_plan(actor=request.user, plan=plan),
    )  # fmt: skip


@supervisor_pages
@require_POST
def staff_void(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, _("抽取结果已作废并公开作废理由；请核对替代版本后公开，再重新抽取。"),
        lambda plan: services.void_draw(
            actor=request.user, plan=plan, reason=request.POST.get("reason", "")
        ),
    )  # fmt: skip


@supervisor_pages
@require_POST
def staff_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, _("已生成新版本草稿；公开后旧版本标记为已被取代，仍可公开查阅。"),
        lambda plan: services.revise_plan(
            actor=request.user, plan=plan, reason=request.POST.get("reason", "")
        ),
    )  # fmt: skip


@supervisor_pages
@require_POST
def staff_publish_results(request: HttpRequest, pk: int) -> HttpResponse:
    def run(plan: InspectionPlan) -> None:
        published = services.publish_plan_results(actor=request.user, plan=plan)
        if not published:
            raise DomainError(_("没有新的已检查结果可以公开。"))

    return _act(request, pk, _("检查结果已在公开页面发布。"), run)
