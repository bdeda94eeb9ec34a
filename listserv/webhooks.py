"""Providers' tracking webhooks (bounces, complaints) through django-anymail.

Each URL is anymail's own view for that provider (its basic-auth check and, where
the provider signs its posts, the signature check), behind one more rule: with no
``ANYMAIL["WEBHOOK_SECRET"]`` configured every post is refused (403). anymail by
itself would only warn and accept anyone's post, and a forged "bounce" must never
take an address off the list. anymail's ``tracking`` signal reaches
``listserv.suppression.handle_tracking_event``.
"""

from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostTrackingWebhookView
from django.conf import settings
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

# URL segment -> (anymail view, extra anymail settings the view cannot run without)
PROVIDERS = {
    "amazon-ses": (AmazonSESTrackingWebhookView, ()),
    "brevo": (BrevoTrackingWebhookView, ()),
    # Mailgun signs its posts; anymail needs the signing key to check them.
    "mailgun": (MailgunTrackingWebhookView, ("MAILGUN_WEBHOOK_SIGNING_KEY",)),
    "mailjet": (MailjetTrackingWebhookView, ()),
    "postmark": (PostmarkTrackingWebhookView, ()),
    "sendgrid": (SendGridTrackingWebhookView, ()),
    "sparkpost": (SparkPostTrackingWebhookView, ()),
}


def webhook_secret_configured() -> bool:
    secret = settings.ANYMAIL.get("WEBHOOK_SECRET")
    if isinstance(secret, (list, tuple)):
        return any(secret)
    return bool(secret)


def tracking_view(view_class, required=()):
    view = view_class.as_view()

    @csrf_exempt
    def guarded(request, *args, **kwargs):
        anymail = settings.ANYMAIL
        if not webhook_secret_configured() or not all(
            anymail.get(name) for name in required
        ):
            return HttpResponseForbidden(
                "Webhook not configured.", content_type="text/plain"
            )
        return view(request, *args, **kwargs)

    guarded.webhook = True  # the access matrix classifies these as machine routes
    return guarded
