from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("today/", views.today, name="today"),
]
