"""Templated email sent through the background task queue.

Each message is rendered from ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and,
when it exists, ``<prefix>_message.html``, in the recipient's language. Sending runs
as a django-tasks task: inline in development and tests, through the database and
``manage.py db_worker`` in production, so a slow or failing mail server never turns
a page into a 500.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


def portal_url(path: str, *, request=None, base_url: str | None = None) -> str:
    """``path`` as an absolute link for an email or a calendar: on the request's
    own address when there is one, else on ``PORTAL_BASE_URL`` (commands, tasks)."""
    if request is not None:
        return request.build_absolute_uri(path)
    return (base_url or settings.PORTAL_BASE_URL).rstrip("/") + path


@task()
def deliver_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
    from_email: str = "",
) -> None:
    """Send one rendered message (from ``DEFAULT_FROM_EMAIL`` unless told)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
        reply_to=reply_to,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def render_email(
    *, template_prefix: str, context: dict, language: str | None = None
) -> tuple[str, str, str]:
    """Render subject, plain text and optional HTML of a templated email."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, body, html


def send_templated_email(
    *,
    template_prefix: str,
    to: list[str],
    context: dict,
    language: str | None = None,
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render a templated email in ``language`` and queue it for delivery."""
    subject, body, html = render_email(
        template_prefix=template_prefix, context=context, language=language
    )
    deliver_email.enqueue(
        subject=subject, body=body, html=html, to=to, headers=headers, reply_to=reply_to
    )


def user_language(user) -> str:
    """The language a user's email should be written in."""
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
