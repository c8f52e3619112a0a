"""API routes of the intake part (included by inspections/api/urls.py)."""

from lishui_fire.core.api import PortalRouter

from .intake import ComplaintViewSet, MyInspectionViewSet, UnplannedInspectionViewSet

router = PortalRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register(
    "unplanned-inspections", UnplannedInspectionViewSet, basename="unplanned-inspection"
)
router.register("my-inspections", MyInspectionViewSet, basename="my-inspection")

urlpatterns = router.urls
