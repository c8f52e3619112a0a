"""Pages of the permits app. Each views module owns its URL list; this file only joins them."""

from .views import applicant, precheck, staff

app_name = "permits"

urlpatterns = applicant.urlpatterns + staff.urlpatterns + precheck.urlpatterns
