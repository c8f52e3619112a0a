from lishui_fire.core.api import PortalRouter

from .api import EnterpriseViewSet

router = PortalRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")

urlpatterns = router.urls
