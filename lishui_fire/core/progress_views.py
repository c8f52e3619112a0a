"""Pages of the public progress look-up (core/progress.py says how it works)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import progress
from .validators import validate_mainland_mobile


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("申请编号"),
        max_length=32,
        help_text=gettext_lazy("提交申请后短信和页面上告知的编号"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号码"),
        max_length=11,
        min_length=11,
        validators=[validate_mainland_mobile],
        help_text=gettext_lazy("申请时填写的联系手机"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Step 1: the reference and the phone number on the case."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif not progress.allowed(request, form.cleaned_data["reference"]):
            form.add_error(None, _("获取验证码过于频繁，请稍后再试。"))
            status = 429
        else:
            pk = progress.request_code(
                reference=form.cleaned_data["reference"],
                phone=form.cleaned_data["phone"],
                remote_addr=progress.client_address(request),
            )
            request.session[progress.SESSION_CODE] = pk
            request.session.pop(progress.SESSION_CASE, None)
            return redirect("core:progress_code")
    return render(request, "core/progress_lookup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code sent to that phone (if the pair matched; the page says so either way)."""
    pk = request.session.get(progress.SESSION_CODE)
    if not isinstance(pk, int):
        return redirect("core:progress")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            result = progress.confirm_code(
                pk=pk,
                code=form.cleaned_data["code"],
                remote_addr=progress.client_address(request),
            )
            if result.ok:
                request.session.pop(progress.SESSION_CODE, None)
                request.session[progress.SESSION_CASE] = {
                    "reference": result.reference,
                    "until": progress.view_until(),
                }
                return redirect("core:progress_case")
            status = 400
            if result.spent:
                request.session.pop(progress.SESSION_CODE, None)
                messages.error(request, _("验证码已失效或错误次数过多，请重新获取验证码。"))
                return redirect("core:progress")
            form.add_error("code", _("验证码不正确，请核对短信后重新输入。"))
    return render(request, "core/progress_code.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def case(request: HttpRequest) -> HttpResponse:
    """Step 3: the case's progress, read-only, for a short while."""
    opened = request.session.get(progress.SESSION_CASE) or {}
    found = None
    if isinstance(opened, dict) and progress.still_open(opened.get("until")):
        found = progress.find_case(str(opened.get("reference", "")))
    if found is None:
        request.session.pop(progress.SESSION_CASE, None)
        messages.info(request, _("查询已结束，请重新输入申请编号和手机号码。"))
        return redirect("core:progress")
    return render(request, "core/progress_case.html", {"case": found})
