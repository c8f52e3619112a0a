"""Pages of the permits app, every URL in one list: public, applicant, staff, then pre-check."""

from django.urls import path

from .views import applicant, dashboard, precheck_applicant, precheck_staff, public, staff

app_name = "permits"

urlpatterns = [
    # Public: what the measure offers.
    path("", public.index, name="index"),
    # Applicant: 我的申请, the apply wizard, one application, door-to-door requests.
    path("mine/", applicant.mine, name="mine"),
    path("apply/", applicant.apply, name="apply"),
    path("my/<int:pk>/", applicant.my_application, name="my_application"),
    path("my/<int:pk>/edit/<slug:step>/", applicant.apply_step, name="apply_step"),
    path(
        "my/<int:pk>/materials/<int:material_pk>/remove/",
        applicant.material_remove,
        name="material_remove",
    ),
    path("my/<int:pk>/submit/", applicant.submit_application, name="submit_application"),
    path("my/<int:pk>/withdraw/", applicant.withdraw_application, name="withdraw_application"),
    path("my/<int:pk>/delivery/", applicant.choose_delivery, name="choose_delivery"),
    path("my/<int:pk>/precheck/", applicant.link_precheck, name="link_precheck"),
    path("my/<int:pk>/recheck/", applicant.request_recheck, name="request_recheck"),
    # Downloads: the owner and the staff of the application's brigade.
    path("files/materials/<int:pk>/", applicant.material_download, name="material_download"),
    path("files/documents/<int:pk>/", applicant.document_download, name="document_download"),
    path("files/photos/<int:pk>/", applicant.photo_download, name="photo_download"),
    path("home-service/", applicant.home_service, name="home_service"),
    path(
        "home-service/<int:pk>/cancel/",
        applicant.cancel_home_service,
        name="cancel_home_service",
    ),
    # Staff: the inspector's day, queues, one application, the dashboard, door-to-door requests.
    path("today/", staff.today, name="today"),
    path("staff/queue/", staff.queue, name="queue"),
    path("staff/overdue/", staff.overdue, name="overdue"),
    path("staff/dashboard/", dashboard.dashboard, name="dashboard"),
    path("staff/window/", staff.window_application, name="staff_window"),
    path("staff/proposals/", staff.proposals, name="staff_proposals"),
    path("staff/applications/<int:pk>/", staff.application_detail, name="staff_application"),
    path("staff/applications/<int:pk>/phone/", staff.reveal_phone, name="staff_reveal_phone"),
    path("staff/applications/<int:pk>/<slug:action>/", staff.staff_action, name="staff_action"),
    path("staff/home-services/", staff.home_services, name="staff_home_services"),
    path("staff/home-services/<int:pk>/", staff.home_service_detail, name="staff_home_service"),
    path(
        "staff/home-services/<int:pk>/phone/",
        staff.home_service_reveal_phone,
        name="staff_home_service_reveal_phone",
    ),
    path(
        "staff/home-services/<int:pk>/<slug:action>/",
        staff.home_service_action,
        name="staff_home_service_action",
    ),
    # Pre-check, applicant side (the booking page, notice and photos serve the staff too).
    path("precheck/", precheck_applicant.slots, name="precheck_slots"),
    # Free slots for anyone, without signing in (issue 9; linked from the home page).
    path("precheck/free/", precheck_applicant.public_slots, name="public_slots"),
    path("precheck/slots/<int:slot_id>/book/", precheck_applicant.book, name="precheck_book"),
    path("precheck/mine/", precheck_applicant.my_bookings, name="my_bookings"),
    path("precheck/bookings/<int:pk>/", precheck_applicant.booking_detail, name="booking_detail"),
    path(
        "precheck/bookings/<int:pk>/confirmed/",
        precheck_applicant.booking_confirmed,
        name="booking_confirmed",
    ),
    path(
        "precheck/bookings/<int:pk>/cancel/",
        precheck_applicant.booking_cancel,
        name="booking_cancel",
    ),
    path(
        "precheck/bookings/<int:pk>/reschedule/",
        precheck_applicant.booking_reschedule,
        name="booking_reschedule",
    ),
    path("precheck/bookings/<int:pk>/notice.pdf", precheck_applicant.notice_pdf, name="notice_pdf"),
    # Pre-check, staff side.
    path("precheck/bookings/<int:pk>/arrival/", precheck_staff.arrival, name="booking_arrival"),
    path("precheck/bookings/<int:pk>/no-show/", precheck_staff.no_show, name="booking_no_show"),
    path("precheck/bookings/<int:pk>/findings/", precheck_staff.finding_add, name="finding_add"),
    path("precheck/bookings/<int:pk>/issue/", precheck_staff.notice_issue, name="notice_issue"),
    path(
        "precheck/bookings/<int:pk>/amendments/new/",
        precheck_staff.amendment_request,
        name="amendment_request",
    ),
    path(
        "precheck/findings/<int:pk>/remove/", precheck_staff.finding_remove, name="finding_remove"
    ),
    path(
        "precheck/findings/<int:pk>/photo/", precheck_applicant.finding_photo, name="finding_photo"
    ),
    path("precheck/amendments/<int:pk>/", precheck_staff.amendment_detail, name="amendment_detail"),
    path(
        "precheck/amendments/<int:pk>/findings/",
        precheck_staff.amendment_finding_add,
        name="amendment_finding_add",
    ),
    path(
        "precheck/amendments/<int:pk>/decide/",
        precheck_staff.amendment_decide,
        name="amendment_decide",
    ),
    path("precheck/staff/slots/", precheck_staff.staff_slots, name="precheck_staff_slots"),
    path("precheck/staff/slots/new/", precheck_staff.publish, name="precheck_publish"),
    path("precheck/staff/slots/weekly/", precheck_staff.generate, name="precheck_generate"),
    path(
        "precheck/staff/slots/<int:pk>/withdraw/",
        precheck_staff.withdraw,
        name="precheck_withdraw",
    ),
    path(
        "precheck/staff/amendments/",
        precheck_staff.amendments_pending,
        name="amendments_pending",
    ),
]
