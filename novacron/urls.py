"""Root URLconf. Apps are included by dotted string so the kernel never imports a domain app."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from novacron.core import views as core_views

api_v1 = [
    path("accounts/", include("novacron.accounts.api.urls")),
    path("revenue/", include("revenue.api.urls")),
    path("marketplace/", include("marketplace.api.urls")),
    path("devex/", include("devex.api.urls")),
    path("certification/", include("certification.api.urls")),
    path("growth/", include("growth.api.urls")),
]

urlpatterns = [
    path("", include("novacron.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("novacron.accounts.urls")),
    path("revenue/", include("revenue.urls")),
    path("marketplace/", include("marketplace.urls")),
    path("devex/", include("devex.urls")),
    path("learn/", include("certification.urls")),
    path("community/", include("growth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("media/<path:path>", core_views.public_media, name="public-media"),
    path("health/", core_views.health, name="health"),
    path("metrics/", core_views.metrics, name="metrics"),
]

handler404 = "novacron.core.views.error_404"
handler500 = "novacron.core.views.error_500"
