"""API routes of measures 5 and 6 under /api/v1/."""

from lishui_fire.core.api import PortalRouter

from .views import IncidentViewSet, InvestigationViewSet, QuietPeriodViewSet

router = PortalRouter()
router.register("quiet-periods", QuietPeriodViewSet, basename="quiet-period")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("investigations", InvestigationViewSet, basename="investigation")

urlpatterns = router.urls
