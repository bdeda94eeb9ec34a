"""django-allauth adapter: account mail goes through the portal's task queue,
written in the recipient's language."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from lmsa_portal.mail import deliver_email


def recipient_language(email: str) -> str | None:
    """The preferred language of the account with this address, if it has one."""
    from members.models import User

    language = (
        User.objects.filter(email__iexact=email)
        .exclude(preferred_language="")
        .values_list("preferred_language", flat=True)
        .first()
    )
    return language or None


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The recipient's own language wins over the one of the request that
        # caused the mail (a password reset asked for from an English browser).
        language = recipient_language(email) or translation.get_language()
        request = allauth_context.request
        # What allauth's own send_mail adds: its templates greet with the site's
        # name ("Hello from LMSA Member Portal!").
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = ""
        body = message.body
        if isinstance(message, EmailMultiAlternatives) and message.alternatives:
            html = message.alternatives[0][0]
        elif message.content_subtype == "html":
            html, body = message.body, ""
        deliver_email.enqueue(
            subject=message.subject, body=body, html=html, to=message.to
        )

    def is_safe_url(self, url: str | None) -> bool:
        # allauth parses ?next= with urlparse, which raises on a malformed host
        # ("http://[::1"): such a target is simply not safe, never a 500.
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False
