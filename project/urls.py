from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import signout
from accounts import views as accounts_views
from project import views

# The admin signs in through allauth, so it gets the same rate limits,
# lockout and two-factor rules as the rest of the site.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("VaxFleet administration")
admin.site.site_title = _("VaxFleet admin")

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.landing, name="landing"),
    path("healthz/", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("help/", views.help_page, name="help"),
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", views.favicon),
    path("accounts/tokens/", include("api.token_urls")),
    # Django's set_language, which also keeps the choice on a signed-in user.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    # allauth's sign-out, which also wipes the offline desk's data from the browser.
    path("accounts/logout/", signout.logout, name="account_logout"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # Readiness pages live under /fleet/ (/fleet/readiness/) but in their own app,
    # above vaccination: fleet never imports it.
    path("fleet/", include("readiness.urls")),
    path("fleet/", include("fleet.urls")),
    path("appointments/", include("vaccination.urls")),
    path("clinic/stock/", include("stock.urls")),
    path("clinic/", include("vaccination.urls_clinic")),
    path("clinic/", include("standby.urls_desk")),
    path("standby/", include("standby.urls")),
    path("campaign/", include("campaign.urls")),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# A database outage is a 503 saying so, not the 500 page (project.views).
handler500 = "project.views.server_error"

if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("bench/", include("benchmarks.urls")))
