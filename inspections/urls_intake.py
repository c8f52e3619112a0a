"""Routes of the intake part (included by inspections/urls.py): the brigade's inspections outside
plans and the unit's own view of its inspections."""

from django.urls import path

from .views import intake

urlpatterns = [
    # Staff of the brigade: complaints and the other inspections outside plans.
    path("intake/", intake.intake_list, name="intake_list"),
    path("intake/complaints/new/", intake.complaint_new, name="complaint_new"),
    path("intake/new/", intake.intake_open, name="intake_open"),
    path("intake/<int:pk>/", intake.intake_detail, name="intake_detail"),
    path("intake/complaints/<int:pk>/reply/", intake.complaint_reply, name="complaint_reply"),
    path("intake/complaints/<int:pk>/phone/", intake.complaint_phone, name="complaint_phone"),
    # The unit's registered contact, signed in.
    path("mine/", intake.my_inspections, name="my_inspections"),
    path("mine/<int:pk>/", intake.my_inspection, name="my_inspection"),
    path("mine/<int:pk>/recheck/", intake.my_recheck, name="my_recheck"),
]
