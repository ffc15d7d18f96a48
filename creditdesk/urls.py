from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from creditdesk.web.sign_in import SignInForm
from creditdesk.web.views.accounts import PasswordResetView
from creditdesk.web.views.home import home

handler400 = "creditdesk.api.errors.bad_request"
handler403 = "creditdesk.web.views.errors.permission_denied"
handler404 = "creditdesk.web.views.errors.page_not_found"
handler500 = "creditdesk.web.views.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("billing/", include("creditdesk.web.billing_urls")),
    path("api/", include("creditdesk.api.urls")),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/login/", LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("operations.urls")),
    path("", include("creditdesk.web.urls")),
    path("", include("creditdesk.web.status_urls")),
    path("", include("creditdesk.web.quote_urls")),
    path("", include("creditdesk.web.activation_urls")),
]
