"""API routes of the plans part (included by inspections/api/urls.py)."""

from lishui_fire.core.api import PortalRouter

from .plans import (
    InspectionPlanViewSet,
    PublicInspectionPlanViewSet,
    PublicInspectionResultViewSet,
)

router = PortalRouter()
router.register("inspection-plans", InspectionPlanViewSet, basename="inspection-plan")
router.register(
    "public/inspection-plans", PublicInspectionPlanViewSet, basename="public-inspection-plan"
)
router.register(
    "public/inspection-results", PublicInspectionResultViewSet, basename="public-inspection-result"
)

urlpatterns = router.urls
