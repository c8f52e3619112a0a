from django.urls import path

from . import views

app_name = "fire_investigation"

urlpatterns = [
    path("", views.index, name="index"),
]
