from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from lishui_fire.accounts import api as accounts_api
from lishui_fire.accounts.views import ObtainTokenView, set_language

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/tokens/", accounts_api.MyTokensView.as_view(), name="api-my-tokens"),
    path(
        "auth/tokens/<int:pk>/revoke/",
        accounts_api.RevokeTokenView.as_view(),
        name="api-my-token-revoke",
    ),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="api-logout"),
    path("", include("lishui_fire.core.api_urls")),
    path("", include("lishui_fire.enterprises.api_urls")),
    path("", include("permits.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("fire_investigation.api.urls")),
]

urlpatterns = [
    path("", include("lishui_fire.core.urls")),
    path("accounts/", include("lishui_fire.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("permits/", include("permits.urls")),
    path("inspections/", include("inspections.urls")),
    path("investigations/", include("fire_investigation.urls")),
    path("outreach/", include("outreach.urls")),
    path("feedback/", include("feedback.urls")),
    path("enterprises/", include("lishui_fire.enterprises.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its initialisation script as a separate file (/api/docs/?script): the
    # site's CSP allows no inline script (templates/api/swagger_ui.html).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]

admin.site.site_header = "丽水消防服务门户 管理后台"
admin.site.site_title = "丽水消防服务门户"

handler404 = "lishui_fire.core.views.page_not_found"
handler500 = "lishui_fire.core.views.server_error"
handler403 = "lishui_fire.core.views.permission_denied"

if settings.DEBUG:  # pragma: no cover - local convenience only
    pass
