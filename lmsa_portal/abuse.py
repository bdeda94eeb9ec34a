"""Protection shared by the public forms: honeypot field and rate limits.

Rate limits use django-ratelimit with the shared ``default`` cache, so they hold
across processes and app instances when the cache is Redis. A request over the
limit gets the friendly 429 page (``RATELIMIT_VIEW``).
"""

from django import forms
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

HONEYPOT_FIELD = "website"


class HoneypotFormMixin(forms.Form):
    """A field people never see; bots fill it and are silently ignored."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "tabindex": "-1",
                "aria-hidden": "true",
                "class": "visually-hidden-honeypot",
            }
        ),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD)))


def email_key(field: str):
    """A django-ratelimit key: the normalised email address posted in ``field``."""

    def key(group, request):
        return (request.POST.get(field) or "").strip().lower() or "none"

    return key


def public_form_ratelimit(
    *, ip_rate: str = "10/m", email_field: str | None = None, email_rate: str = "3/h"
):
    """Decorate a view: POSTs limited per IP and, when given, per target email."""

    def decorator(view_func):
        wrapped = ratelimit(key="ip", rate=ip_rate, method="POST", block=True)(
            view_func
        )
        if email_field:
            wrapped = ratelimit(
                key=email_key(email_field), rate=email_rate, method="POST", block=True
            )(wrapped)
        return wrapped

    return decorator


def public_form_ratelimit_class(**kwargs):
    """``public_form_ratelimit`` for class-based views."""
    return method_decorator(public_form_ratelimit(**kwargs), name="dispatch")
