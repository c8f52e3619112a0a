from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/rating/", views.change_rating, name="change_rating"),
    path("<int:pk>/recalculate/", views.recalculate_one, name="recalculate_one"),
    path("<int:pk>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("<int:pk>/listings/", views.add_listing, name="add_listing"),
    path(
        "<int:pk>/listings/<int:listing_pk>/remove/",
        views.remove_listing,
        name="remove_listing",
    ),
    path("credit/grades/", views.credit_scale, name="credit_scale"),
    path("credit/grades/new/", views.add_credit_grade, name="add_credit_grade"),
    path("credit/grades/<int:pk>/", views.edit_credit_grade, name="edit_credit_grade"),
    path("credit/proposals/", views.grade_proposals, name="grade_proposals"),
    path("credit/proposals/recalculate/", views.recalculate_grades, name="recalculate_grades"),
    path("credit/proposals/<int:pk>/decide/", views.decide_proposal, name="decide_proposal"),
    path("imports/", views.imports, name="imports"),
    path("imports/template.csv", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
]
