from .api import PortalRouter
from .enterprise_api import EnterpriseViewSet

router = PortalRouter()
router.register("enterprises", EnterpriseViewSet, basename="enterprise")

urlpatterns = router.urls
