"""The sign-in forms of the site and of the admin: Django's, with the username's length
checked on the server.

Django's sign-in form tells the browser the username's length but never checks it: a longer
one went on to `authenticate`, and django-axes, which records every failed sign-in by its
username in a 255-character column, failed on PostgreSQL with a 500. A username longer than
any account's is refused on the field, before anyone is asked."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class _UsernameWithinItsColumn:
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class SignInForm(_UsernameWithinItsColumn, AuthenticationForm):
    """The site's sign-in (`/accounts/login/`)."""


class AdminSignInForm(_UsernameWithinItsColumn, AdminAuthenticationForm):
    """The admin's sign-in (`AdminSite.login_form`)."""
