"""The applicant's pages: the public page of the measure, the apply wizard, 我的申请, the
application's own page, door-to-door service requests, and the file downloads (shared with staff).

Every state change is a POST that calls a service and redirects (PRG); a service's
ValidationError goes back onto the form, a DomainError becomes a message on the page.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lishui_fire.accounts.decorators import applicant_required
from lishui_fire.core.document_views import serve_issued_document
from lishui_fire.core.errors import DomainError
from lishui_fire.core.masking import mask_name, mask_phone
from lishui_fire.core.workflow import history_for

from .. import policies, rules, selectors
from ..forms.applicant import (
    DeliveryForm,
    HomeServiceForm,
    LinkPrecheckForm,
    MaterialUploadForm,
    PathForm,
    RecheckRequestForm,
    SignCommitmentForm,
    UnitForm,
    VenueForm,
)
from ..models import (
    ApplicationPhoto,
    Delivery,
    DeliveryMethod,
    DocumentKind,
    Material,
    MaterialKind,
    PermitApplication,
    PermitDocument,
    PhotoPurpose,
    PrecheckBooking,
    StopUseOrder,
)
from ..services import applications as services
from ..services import channels
from ..workflow import (
    ACTIVE_BOOKING_STATUSES,
    HOME_SERVICE_FLOW,
    DeliveryStatus,
    HomeServiceStatus,
    PermitStatus,
    workflow_for,
)
from .common import add_errors
from .public import paths

APPLICATIONS_PER_PAGE = 20
# How many of her pre-check bookings the venue step offers to start from (the newest).
PREFILL_BOOKINGS = 5

# The wizard, in order. "sign" exists only on the commitment path.
STEPS: tuple[tuple[str, Any], ...] = (
    ("venue", gettext_lazy("场所信息")),
    ("unit", gettext_lazy("申请单位")),
    ("path", gettext_lazy("办理方式")),
    ("sign", gettext_lazy("签署承诺")),
    ("materials", gettext_lazy("上传材料")),
    ("delivery", gettext_lazy("送达与体检")),
    ("review", gettext_lazy("核对提交")),
)


# --- Small helpers -------------------------------------------------------------------------------


def _own_application(request: HttpRequest, pk: int) -> PermitApplication:
    """The caller's own application. Outside the caller's scope: 404 (missing and forbidden
    alike); staff who can see it: 403, their pages are elsewhere."""
    application = policies.get_application_for_user(user=request.user, pk=pk)
    if not policies.is_owner(request.user, application):
        raise PermissionDenied
    return application


def _steps(application: PermitApplication | None) -> list[tuple[str, Any]]:
    if application is not None and not application.is_commitment:
        return [s for s in STEPS if s[0] != "sign"]
    return list(STEPS)


def _next_step(application: PermitApplication, step: str) -> str:
    names = [name for name, _label in _steps(application)]
    index = names.index(step) if step in names else -1
    return names[min(index + 1, len(names) - 1)]


def _resume_url(application: PermitApplication) -> str | None:
    """Where an editable application continues: the first step with something to do."""
    if application.status not in (PermitStatus.DRAFT, PermitStatus.RETURNED):
        return None
    step = "unit" if not application.unit_name else "review"
    if application.status == PermitStatus.RETURNED:
        step = "materials"
    return reverse("permits:apply_step", args=[application.pk, step])


def _file_response(storage: Storage, name: str, content_type: str, filename: str) -> FileResponse:
    """Stream a stored file as an attachment under a name that cannot break the header."""
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Materials and decisions carry personal data: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response


# --- 我的申请 -----------------------------------------------------------------------------------
@applicant_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The applicant's landing page: applications, pre-check bookings, door-to-door requests."""
    user = request.user
    page = Paginator(
        selectors.application_list_for_applicant(user=user), APPLICATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    rows = [{"application": a, "resume_url": _resume_url(a)} for a in page.object_list]
    home_requests = [
        {
            "request": r,
            "phone": mask_phone(r.contact_phone),
            "staff": mask_name(r.assigned_to.real_name) if r.assigned_to else "",
            "can_cancel": HOME_SERVICE_FLOW.can_move(r.status, HomeServiceStatus.CANCELLED),
        }
        for r in selectors.home_requests_for_user(user=user)
    ]
    return render(
        request,
        "permits/mine.html",
        {
            "rows": rows,
            "page_obj": page,
            "bookings": list(selectors.bookings_for_user(user=user).select_related("slot")),
            "home_requests": home_requests,
        },
    )


# --- The apply wizard ------------------------------------------------------------------------------
def _render_step(
    request: HttpRequest,
    application: PermitApplication | None,
    step: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    steps = []
    names = [name for name, _label in _steps(application)]
    current = names.index(step)
    for i, (name, label) in enumerate(_steps(application)):
        steps.append(
            {
                "label": label,
                "current": name == step,
                "done": i < current,
                "url": (
                    reverse("permits:apply_step", args=[application.pk, name])
                    if application is not None
                    else None
                ),
            }
        )
    return render(
        request,
        f"permits/applicant/step_{step}.html",
        {
            "application": application,
            "step": step,
            "step_label": dict(STEPS)[step],
            "steps": steps,
            **context,
        },
        status=status,
    )


def _saved(request: HttpRequest, application: PermitApplication, step: str) -> HttpResponse:
    if request.POST.get("leave"):
        messages.success(request, _("草稿已保存。您可以随时在“我的申请”中继续填写。"))
        return redirect("permits:mine")
    messages.success(request, _("已保存。"))
    return redirect("permits:apply_step", pk=application.pk, step=_next_step(application, step))


def _form_token(request: HttpRequest) -> uuid.UUID:
    """The id of this "new application" form (a fresh one for each blank form shown)."""
    try:
        return uuid.UUID(str(request.POST.get("form_token", "")))
    except ValueError:
        return uuid.uuid4()


def _booking_to_prefill(request: HttpRequest) -> PrecheckBooking | None:
    """The applicant's own pre-check booking named by ``?booking=`` (GET, to fill the form) or
    by the form's ``precheck`` field (POST, to link it). Anyone else's, or none: nothing, and
    the same message for both (it never says whether another person's booking exists)."""
    raw = (request.GET if request.method == "GET" else request.POST).get(
        "booking" if request.method == "GET" else "precheck", ""
    )
    if not raw:
        return None
    booking = (
        selectors.venue_bookings_for_applicant(user=request.user).filter(pk=raw).first()
        if raw.isdigit()
        else None
    )
    if booking is None:
        messages.warning(request, _("没有找到您的这次预约体检，请直接填写场所信息。"))
    return booking


def _venue_step(request: HttpRequest, application: PermitApplication | None) -> HttpResponse:
    booking = _booking_to_prefill(request)
    # Her pre-check booking already says where the venue is: the form starts from it (she
    # completes the area, capacity and floors the booking does not ask for).
    initial = (
        {
            "venue_name": booking.venue_name,
            "venue_address": booking.venue_address,
            "venue_type": booking.venue_type,
            "county": booking.brigade_id,
        }
        if booking is not None and request.method == "GET"
        else {}
    )
    form = VenueForm(
        request.POST if request.method == "POST" else None, instance=application, initial=initial
    )
    form_token = _form_token(request) if application is None else None
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        county = form.cleaned_data["county"]
        try:
            if application is None:
                application = services.create_draft(
                    applicant=request.user, brigade=county, form_token=form_token, **fields
                )
            else:
                application = services.update_draft(
                    application=application, actor=request.user, brigade=county, **fields
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if booking is not None:
                services.link_precheck(application=application, actor=request.user, booking=booking)
            return _saved(request, application, "venue")
    return _render_step(
        request,
        application,
        "venue",
        {
            "form": form,
            "form_token": form_token,
            "prefilled_from": booking,
            "venue_bookings": list(
                selectors.venue_bookings_for_applicant(user=request.user)[:PREFILL_BOOKINGS]
            ),
        },
        status=400 if form.errors else 200,
    )


def _unit_step(request: HttpRequest, application: PermitApplication) -> HttpResponse:
    user = request.user
    # The applicant's own profile fills what is still empty: most apply for their own unit.
    profile = {
        "unit_name": user.enterprise_name,
        "unit_uscc": user.enterprise_uscc,
        "contact_name": user.real_name,
        "contact_phone": user.phone,
    }
    initial = {k: v for k, v in profile.items() if v and not getattr(application, k)}
    form = UnitForm(
        request.POST if request.method == "POST" else None, instance=application, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.update_draft(
                application=application, actor=user, **form.service_fields()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _saved(request, application, "unit")
    return _render_step(
        request, application, "unit", {"form": form}, status=400 if form.errors else 200
    )


def _path_step(request: HttpRequest, application: PermitApplication) -> HttpResponse:
    form = PathForm(
        request.POST if request.method == "POST" else None, initial={"path": application.path}
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.update_draft(
                application=application, actor=request.user, path=form.cleaned_data["path"]
            )
        except ValidationError as exc:
            add_errors(form, exc, "path")
        else:
            return _saved(request, application, "path")
    return _render_step(
        request,
        application,
        "path",
        {"form": form, "paths": {p["value"]: p for p in paths()}},
        status=400 if form.errors else 200,
    )


def _sign_step(request: HttpRequest, application: PermitApplication) -> HttpResponse:
    if not application.is_commitment:
        return redirect("permits:apply_step", pk=application.pk, step="materials")
    form = SignCommitmentForm(
        request.POST if request.method == "POST" else None,
        initial={"signatory": application.legal_representative},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_commitment(
                application=application,
                actor=request.user,
                signatory=form.cleaned_data["signatory"],
            )
        except ValidationError as exc:
            add_errors(form, exc, "signatory")
        else:
            messages.success(request, _("已签署消防安全告知承诺书。"))
            return redirect("permits:apply_step", pk=application.pk, step="materials")
    return _render_step(
        request, application, "sign", {"form": form}, status=400 if form.errors else 200
    )


def _materials_step(request: HttpRequest, application: PermitApplication) -> HttpResponse:
    materials = list(application.materials.all())
    present = {m.kind for m in materials}
    form = MaterialUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        path=application.path,
        present=present,
    )
    if request.method == "POST" and form.is_valid():
        try:
            material = services.add_material(
                application=application,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_errors(form, exc, "file")
        else:
            messages.success(
                request,
                _("已上传：%(kind)s（%(name)s）")
                % {"kind": material.get_kind_display(), "name": material.original_name},
            )
            return redirect("permits:apply_step", pk=application.pk, step="materials")
    signed_online = rules.SIGNED_ONLINE[application.path]
    checklist = [
        {
            "label": MaterialKind(kind).label,
            # The commitment letter signed in the wizard is the letter: shown as signed, not
            # asked for as an upload.
            "signed_online": kind in signed_online,
            "present": (
                application.commitment_signed_at is not None
                if kind in signed_online
                else kind in present
            ),
        }
        for kind in rules.REQUIRED_MATERIALS[application.path]
    ]
    return _render_step(
        request,
        application,
        "materials",
        {"form": form, "materials": materials, "checklist": checklist},
        status=400 if form.errors else 200,
    )


def _delivery_initial(application: PermitApplication, delivery: Delivery | None) -> dict[str, Any]:
    return {
        "method": delivery.method if delivery else DeliveryMethod.DOWNLOAD,
        "recipient": (delivery.recipient if delivery else "") or application.contact_name,
        "address": (delivery.address if delivery else "") or application.venue_address,
        "phone": (delivery.phone if delivery else "") or application.contact_phone,
    }


def _delivery_step(request: HttpRequest, application: PermitApplication) -> HttpResponse:
    """Before submitting: free mail of the documents (法律文书免费邮寄) and the link to her
    pre-check, so neither waits for a page she sees only after submission."""
    user = request.user
    delivery = Delivery.objects.filter(application=application).first()
    bookings = _my_bookings(user)
    if request.method == "POST":
        delivery_form = DeliveryForm(request.POST)
        link_form = LinkPrecheckForm(request.POST, bookings=bookings)
        if delivery_form.is_valid() and link_form.is_valid():
            data = delivery_form.cleaned_data
            try:
                services.choose_delivery(
                    application=application,
                    actor=user,
                    method=data["method"],
                    recipient=data["recipient"],
                    address=data["address"],
                    phone=data["phone"],
                )
                services.link_precheck(
                    application=application, actor=user, booking=link_form.cleaned_data["booking"]
                )
            except ValidationError as exc:
                add_errors(delivery_form, exc)
            else:
                return _saved(request, application, "delivery")
    else:
        delivery_form = DeliveryForm(initial=_delivery_initial(application, delivery))
        link_form = LinkPrecheckForm(
            bookings=bookings, initial={"booking": application.precheck_id}
        )
    precheck = (
        bookings.filter(pk=application.precheck_id).first() if application.precheck_id else None
    )
    return _render_step(
        request,
        application,
        "delivery",
        {"delivery_form": delivery_form, "link_form": link_form, "precheck": precheck},
        status=400 if delivery_form.errors or link_form.errors else 200,
    )


def _review_step(
    request: HttpRequest,
    application: PermitApplication,
    problems: list[str] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    if problems is None:
        problems = services.submission_problems(application)
    return _render_step(
        request,
        application,
        "review",
        {
            "problems": problems,
            "materials": list(application.materials.all()),
            "delivery": Delivery.objects.filter(application=application).first(),
            "precheck": (
                _my_bookings(request.user).filter(pk=application.precheck_id).first()
                if application.precheck_id
                else None
            ),
        },
        status=status,
    )


STEP_VIEWS = {
    "venue": _venue_step,
    "unit": _unit_step,
    "path": _path_step,
    "sign": _sign_step,
    "materials": _materials_step,
    "delivery": _delivery_step,
    "review": _review_step,
}


def _editable(request: HttpRequest, pk: int) -> PermitApplication | HttpResponse:
    application = _own_application(request, pk)
    if not policies.can_edit_application(request.user, application):
        messages.info(request, _("该申请已提交，不能再修改。"))
        return redirect("permits:my_application", pk=application.pk)
    return application


@applicant_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new application; saving it creates the draft."""
    return _venue_step(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_VIEWS:
        raise Http404
    found = _editable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    if step == "review" and request.method == "POST":
        return redirect("permits:apply_step", pk=pk, step="review")
    try:
        return STEP_VIEWS[step](request, found)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:my_application", pk=found.pk)


@login_required
@require_POST
def material_remove(request: HttpRequest, pk: int, material_pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    material = application.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    try:
        services.remove_material(material=material, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:my_application", pk=application.pk)
    messages.success(request, _("已删除：%(name)s") % {"name": material.original_name})
    return redirect("permits:apply_step", pk=application.pk, step="materials")


@login_required
@require_POST
def submit_application(request: HttpRequest, pk: int) -> HttpResponse:
    found = _editable(request, pk)
    if isinstance(found, HttpResponse):
        return found
    try:
        application = services.submit_application(application=found, actor=request.user)
    except ValidationError as exc:
        # Every problem at once, never one at a time.
        return _review_step(request, found, exc.messages, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:my_application", pk=found.pk)
    messages.success(
        request,
        _("申请 %(ref)s 已提交。我们将在法定时限内办理，进度可在本页查看。")
        % {"ref": application.reference},
    )
    return redirect("permits:my_application", pk=application.pk)


# --- One application ---------------------------------------------------------------------------------
def _actor_label(change: Any, application: PermitApplication) -> str:
    actor = change.actor
    if actor is None:
        return _("系统")
    if actor.pk == application.applicant_id:
        return _("申请人（本人）")
    # Staff appear by role and family name only (PIPL): "监督员 王*".
    return f"{actor.get_role_display()} {mask_name(actor.real_name)}"


def _status_label(value: str) -> str:
    try:
        return str(PermitStatus(value).label)
    except ValueError:
        return value


def _my_bookings(user: Any) -> QuerySet[PrecheckBooking]:
    return (
        selectors.bookings_for_user(user=user)
        .filter(status__in=ACTIVE_BOOKING_STATUSES)
        .select_related("slot")
    )


def _render_detail(
    request: HttpRequest,
    application: PermitApplication,
    *,
    delivery_form: DeliveryForm | None = None,
    link_form: LinkPrecheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    final = application.status in (PermitStatus.WITHDRAWN, PermitStatus.NOT_ACCEPTED)
    delivery = Delivery.objects.filter(application=application).first()
    show_delivery = application.status != PermitStatus.DRAFT and not final
    if (
        show_delivery
        and delivery_form is None
        and (delivery is None or delivery.status == DeliveryStatus.PENDING)
    ):
        delivery_form = DeliveryForm(initial=_delivery_initial(application, delivery))
    if not show_delivery or (delivery is not None and delivery.status != DeliveryStatus.PENDING):
        delivery_form = None
    can_link = application.status not in (
        PermitStatus.NOT_ACCEPTED,
        PermitStatus.REJECTED,
        PermitStatus.VERIFIED,
        PermitStatus.REVOKED,
        PermitStatus.WITHDRAWN,
    )
    if can_link and link_form is None:
        link_form = LinkPrecheckForm(
            bookings=_my_bookings(user), initial={"booking": application.precheck_id}
        )
    dues = [
        {"label": label, "date": getattr(application, name)}
        for name, label in (
            ("accept_due", _("受理期限")),
            ("inspection_due", _("检查期限")),
            ("decision_due", _("决定期限")),
            ("verification_due", _("核查期限")),
            ("rectification_due", _("整改期限")),
            ("recheck_due", _("复查期限")),
        )
        if getattr(application, name)
    ]
    timeline = [
        {
            "at": change.at,
            "actor": _actor_label(change, application),
            "from_label": _status_label(change.from_status),
            "to_label": _status_label(change.to_status),
            "note": change.note,
        }
        for change in history_for(application)
    ]
    precheck = (
        PrecheckBooking.objects.select_related("slot").filter(pk=application.precheck_id).first()
        if application.precheck_id
        else None
    )
    application.precheck = precheck
    return render(
        request,
        "permits/applicant/detail.html",
        {
            "application": application,
            "timeline": timeline,
            "dues": dues,
            "materials": list(application.materials.all()),
            "documents": list(application.documents.all()),
            "visits": list(application.visits.all()),
            "delivery": delivery,
            "show_delivery": show_delivery,
            "delivery_form": delivery_form,
            "link_form": link_form if can_link else None,
            "can_edit": policies.can_edit_application(user, application),
            "resume_url": _resume_url(application),
            "can_withdraw": workflow_for(application.path).can_move(
                application.status, PermitStatus.WITHDRAWN
            ),
            "stop_use": StopUseOrder.objects.filter(application=application).first(),
            "can_request_recheck": rules.recheck_request_refusal(
                status=application.status,
                is_commitment=application.is_commitment,
                requested=application.recheck_requested_at is not None,
                rechecked=application.rechecked_at is not None,
            )
            is None,
            "recheck_photos": list(application.photos.filter(purpose=PhotoPurpose.RECHECK_REQUEST)),
        },
        status=status,
    )


@login_required
@require_GET
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _own_application(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_application(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST withdraws."""
    application = _own_application(request, pk)
    if not workflow_for(application.path).can_move(application.status, PermitStatus.WITHDRAWN):
        messages.error(request, _("该申请当前不能撤回。"))
        return redirect("permits:my_application", pk=application.pk)
    if request.method == "POST":
        try:
            services.withdraw_application(application=application, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("申请已撤回。"))
        return redirect("permits:my_application", pk=application.pk)
    return render(request, "permits/applicant/withdraw_confirm.html", {"application": application})


@login_required
@require_POST
def choose_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.choose_delivery(
                application=application,
                actor=request.user,
                method=data["method"],
                recipient=data["recipient"],
                address=data["address"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:my_application", pk=application.pk)
        else:
            messages.success(
                request,
                _("已选择免费邮寄，文书寄出后可在本页查看运单号。")
                if data["method"] == DeliveryMethod.MAIL
                else _("已选择网上下载。"),
            )
            return redirect("permits:my_application", pk=application.pk)
    return _render_detail(request, application, delivery_form=form, status=400)


@login_required
@require_POST
def link_precheck(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = LinkPrecheckForm(request.POST, bookings=_my_bookings(request.user))
    if form.is_valid():
        booking = form.cleaned_data["booking"]
        try:
            services.link_precheck(application=application, actor=request.user, booking=booking)
        except ValidationError as exc:
            add_errors(form, exc, "booking")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("permits:my_application", pk=application.pk)
        else:
            messages.success(
                request,
                _("已关联预约体检，办理人员可以看到体检发现的问题和整改情况。")
                if booking
                else _("已取消关联预约体检。"),
            )
            return redirect("permits:my_application", pk=application.pk)
    return _render_detail(request, application, link_form=form, status=400)


# --- Re-check on request (申请复查) ----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def request_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit under a rectification notice says it has rectified and asks for the re-check:
    the brigade then owes it within 3 working days (the clock starts now)."""
    application = _own_application(request, pk)
    refusal = rules.recheck_request_refusal(
        status=application.status,
        is_commitment=application.is_commitment,
        requested=application.recheck_requested_at is not None,
        rechecked=application.rechecked_at is not None,
    )
    if refusal is not None:
        messages.error(
            request,
            _("已申请复查，请等待检查人员到场。")
            if refusal == "already_requested"
            else services.RECHECK_REFUSALS[refusal](),
        )
        return redirect("permits:my_application", pk=application.pk)
    form = RecheckRequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.request_recheck(
                    application=application,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    photos=form.cleaned_data["photos"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("permits:my_application", pk=application.pk)
            else:
                application.refresh_from_db()
                messages.success(
                    request,
                    _("已申请复查。我们将于 %(due)s 前到场复查。")
                    % {"due": application.recheck_due},
                )
                return redirect("permits:my_application", pk=application.pk)
    return render(
        request,
        "permits/applicant/request_recheck.html",
        {"application": application, "form": form},
        status=status,
    )


# --- Downloads (owner, and staff of the application's brigade) -------------------------------------
@login_required
@require_GET
def photo_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A venue photo (the unit's re-check request, the inspector's visit): the owner and the
    readers of the brigade's applications, like the materials."""
    photo = ApplicationPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    policies.get_application_for_user(user=request.user, pk=photo.application_id)
    return _file_response(
        photo.image.storage,
        photo.image.name,
        photo.content_type,
        rules.safe_download_name(f"photo-{photo.pk}", photo.content_type),
    )


@login_required
@require_GET
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    material = Material.objects.filter(pk=pk).first()
    if material is None:
        raise Http404
    # Missing and forbidden answer alike: 404 unless the caller may see the application.
    policies.get_application_for_user(user=request.user, pk=material.application_id)
    stem = material.original_name.rsplit(".", 1)[0]
    return _file_response(
        material.file.storage,
        material.file.name,
        material.content_type,
        rules.safe_download_name(stem, material.content_type),
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = PermitDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    application = policies.get_application_for_user(user=request.user, pk=document.application_id)
    # Rendered after commit by a task; not there yet, the page says "being prepared" (ADR 0030).
    name = rules.safe_download_name(
        f"{application.reference}-{document.get_kind_display()}", "application/pdf"
    )
    response = serve_issued_document(request, document, name)
    if (
        response.status_code == 200
        and document.kind == DocumentKind.DECISION
        and application.served_at is None
    ):
        # The applicant's own download of the permit document serves it (行政许可法 art. 44).
        services.record_download_service(application=application, actor=request.user)
    return response


# --- Door-to-door service (上门服务) ---------------------------------------------------------------
@applicant_required
@require_http_methods(["GET", "POST"])
def home_service(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = HomeServiceForm(
        request.POST if request.method == "POST" else None,
        initial={"contact_name": user.real_name, "contact_phone": user.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            channels.request_home_service(
                actor=user, brigade=form.cleaned_data["county"], **form.service_fields()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("上门服务申请已提交，大队工作人员将电话联系您确认上门时间。")
            )
            return redirect(reverse("permits:mine") + "#home-h")
    return render(
        request,
        "permits/applicant/home_service.html",
        # The brigade chosen (a form sent back): its number, not the detachment's.
        {"form": form, "brigade": getattr(form, "cleaned_data", {}).get("county")},
        status=400 if form.errors else 200,
    )


@applicant_required
@require_POST
def cancel_home_service(request: HttpRequest, pk: int) -> HttpResponse:
    home_request = policies.get_home_request_for_user(user=request.user, pk=pk)
    try:
        channels.cancel_home_service(request=home_request, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("上门服务申请已取消。"))
    return redirect(reverse("permits:mine") + "#home-h")
