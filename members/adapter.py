"""django-allauth adapter: account mail goes through the portal's task queue."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMultiAlternatives

from members.mail import deliver_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
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
