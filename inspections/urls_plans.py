"""Routes of the plans part (included by inspections/urls.py)."""

from django.urls import path

from .views import plans

urlpatterns = [
    # The public column (一公开): no sign-in.
    path("plans/", plans.public_list, name="plans"),
    path("plans/<int:pk>/", plans.public_detail, name="plan"),
    path("plans/<int:pk>/verify/", plans.public_verify, name="plan_verify"),
    path("plans/<int:pk>/published.json", plans.public_data, name="plan_data"),
    # Supervisors.
    path("plans/manage/", plans.staff_list, name="plans_staff"),
    path("plans/manage/new/", plans.staff_create, name="plan_create"),
    path("plans/manage/<int:pk>/", plans.staff_detail, name="plan_staff"),
    path("plans/manage/<int:pk>/edit/", plans.staff_edit, name="plan_edit"),
    path("plans/manage/<int:pk>/publish/", plans.staff_publish, name="plan_publish"),
    path("plans/manage/<int:pk>/draw/", plans.staff_draw, name="plan_draw"),
    path("plans/manage/<int:pk>/void/", plans.staff_void, name="plan_void"),
    path("plans/manage/<int:pk>/revise/", plans.staff_revise, name="plan_revise"),
    path(
        "plans/manage/<int:pk>/publish-results/",
        plans.staff_publish_results,
        name="plan_publish_results",
    ),
]
