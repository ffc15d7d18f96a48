"""Sign-in pages that add limits to Django's own: password-reset requests are counted per
address and per e-mail (`creditdesk.security.password_reset_check`)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from creditdesk.security import TooManyRequests, password_reset_check
from creditdesk.web.password_reset import PasswordResetForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm  # the mail leaves in a background task

    def post(self, request, *args, **kwargs):
        try:
            password_reset_check(request, request.POST.get("email", ""))
        except TooManyRequests as refusal:
            return render(
                request,
                "registration/too_many_requests.html",
                {"refusal": refusal.message()},
                status=429,
            )
        return super().post(request, *args, **kwargs)


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out user and address (`AXES_LOCKOUT_CALLABLE`): the
    styled page in the user's language, HTTP 429."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/lockout.html", {"cooloff_minutes": minutes}, status=429)
