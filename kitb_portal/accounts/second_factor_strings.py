"""Messages of django-otp and django-two-factor-auth that our second-factor pages show.

Neither library ships Indonesian or Korean; our catalogues (LOCALE_PATHS, searched first) translate
these msgids, and listing them here keeps them in the catalogues when ``makemessages`` runs."""
from django.utils.translation import gettext_noop, ngettext_lazy

LIBRARY_MESSAGES = [
    gettext_noop("Token"),
    gettext_noop("Entered token is not valid."),
    gettext_noop("Please enter your OTP token."),
    gettext_noop("Invalid token. Please make sure you have entered it correctly."),
    gettext_noop("Verification of the token is currently disabled"),
    gettext_noop("Please select a device."),
    gettext_noop("Yes, I am sure"),
    ngettext_lazy(
        "Verification temporarily disabled because of %(failure_count)d failed attempt, please try again soon.",
        "Verification temporarily disabled because of %(failure_count)d failed attempts, please try again soon.",
        "failure_count",
    ),
]
