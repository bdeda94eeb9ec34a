"""allauth's sign-up form as the portal uses it (ACCOUNT_FORMS["signup"]).

Kept apart from members.forms because allauth imports ACCOUNT_SIGNUP_FORM_CLASS
from there while building its own forms module.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PortalSignupForm(AllauthSignupForm):
    """allauth's sign-up form with an accessible honeypot (labelled, moved off screen
    by a class instead of an inline style, which the CSP would block)."""

    field_order = [
        "first_name",
        "last_name",
        "email",
        "password1",
        "password2",
        "member_type",
        "institution",
        "graduation_year",
        "region",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        honeypot = self.fields.get(settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD)
        if honeypot is not None:
            honeypot.label = _("Leave this field empty")
            honeypot.widget.attrs = {
                "tabindex": "-1",
                "autocomplete": "off",
                "aria-hidden": "true",
                "class": "visually-hidden-honeypot",
            }

    def full_clean(self):
        super().full_clean()
        # A form sent back for another field keeps the passwords typed (the page
        # is no-store); a rejected password is cleared, both boxes together.
        if self.errors and not {"password1", "password2"} & self.errors.keys():
            for name in ("password1", "password2"):
                if name in self.fields:
                    self.fields[name].widget.render_value = True
