from lishui_fire.core.api import PortalRouter

from .viewsets import PermitViewSet, PrecheckBookingViewSet, PrecheckSlotViewSet

router = PortalRouter()
router.register("permits", PermitViewSet, basename="permit")
router.register("precheck-slots", PrecheckSlotViewSet, basename="precheck-slot")
router.register("precheck-bookings", PrecheckBookingViewSet, basename="precheck-booking")

urlpatterns = router.urls
