"""API routes of the visits part (included by inspections/api/urls.py)."""

from lishui_fire.core.api import PortalRouter

from .visits import InspectionViewSet

router = PortalRouter()
router.register("inspections", InspectionViewSet, basename="inspection")

urlpatterns = router.urls
