from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from config import admin_integration, health, metrics
from integration.deployment import CONTEXTS, serves
from storefront import forms as account_forms

# The admin is the sellers' and creators' centre: it carries the product's name, not Django's.
admin.site.site_header = _("Jalin Seller & Creator Centre")
admin.site.site_title = _("Jalin Seller & Creator Centre")
admin.site.index_title = _("Dashboard")
# A deployable serving one context leaves the other's models out of its admin.
for model in [model for model in admin.site._registry if model._meta.app_label in CONTEXTS]:
    if not serves(model._meta.app_label):
        admin.site.unregister(model)

MARKETPLACE, STOREFRONT = serves("marketplace"), serves("storefront")

urlpatterns = [
    # Platform staff's view of the seam between the two contexts (config/admin_integration.py).
    path("admin/integration/", admin_integration.page, name="admin_integration"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Password reset (and change) pages: Django's views, templates in templates/registration/;
    # the two that set a password save it through the accounts service (API tokens revoked).
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=account_forms.PasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=account_forms.PasswordResetSetForm),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The simulated payment gateway, only where it is enabled (never by default in production).
    *([path("", include("marketplace.urls"))] if MARKETPLACE and settings.PAYMENT_SIMULATOR_ENABLED else []),
    # Real providers' notifications (each answers only while its provider is the gateway).
    *([path("", include("marketplace.urls_providers"))] if MARKETPLACE else []),
    *([path("", include("storefront.urls"))] if STOREFRONT else []),
]

# Health checks, the marketplace's internal endpoints (service token only; versioned
# inside: v1/<method>/, and a version mismatch for any other path) and the metrics.
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    *([path("internal/marketplace/", include("marketplace.internal_api"))] if MARKETPLACE else []),
    *([path("internal/storefront/", include("storefront.internal_api"))] if STOREFRONT else []),
    path("internal/metrics", metrics.metrics, name="metrics"),
    *urlpatterns,
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH:
    from config import bench

    urlpatterns += [path("bench/", include(bench))]

# --- REST API ------------------------------------------------------------------
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView  # noqa: E402

from config.api import ObtainTokenView  # noqa: E402
from config.problems import problem_type_view  # noqa: E402

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *([path("", include("storefront.api.urls"))] if STOREFRONT else []),
    *([path("seller/", include("marketplace.api.urls"))] if MARKETPLACE else []),
]
urlpatterns += [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/problems/<slug:code>/", problem_type_view, name="api-problem"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
handler404 = "config.api.handler404"
handler500 = "config.api.handler500"
