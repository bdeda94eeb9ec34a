"""The suppression list: addresses no mailing may reach.

A provider's tracking webhook (through django-anymail, see ``webhooks.py``) or the
SMTP server itself reports a bounce or complaint; each report is kept as a
``MailEvent`` and its effect is:

- hard bounce: the address is suppressed at once;
- soft bounce: suppressed once ``LISTSERV_SOFT_BOUNCE_LIMIT`` soft bounces arrived
  within ``LISTSERV_SOFT_BOUNCE_DAYS`` (and since staff last lifted it);
- complaint (the recipient pressed "spam"): suppressed and unsubscribed;
- unsubscribed at the provider: unsubscribed (not suppressed: they may come back).

The queue leaves suppressed addresses out and the sending loop skips them, so a
suppression reported while a mailing is going out holds from the next batch on.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from listserv.models import MailEvent, Subscriber, Suppression

logger = logging.getLogger(__name__)

Kind = MailEvent.Kind

_REASON_OF_KIND = {
    Kind.HARD_BOUNCE: Suppression.Reason.HARD_BOUNCE,
    Kind.SOFT_BOUNCE: Suppression.Reason.SOFT_BOUNCES,
    Kind.COMPLAINT: Suppression.Reason.COMPLAINT,
}


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def suppressed_among(emails) -> set[str]:
    """Which of ``emails`` (normalised) no mail may reach, in one query: for
    senders outside the mailing loop (AMA announcements)."""
    wanted = {normalise(email) for email in emails}
    return set(
        Suppression.objects.active()
        .filter(email__in=wanted)
        .values_list("email", flat=True)
    )


def active_suppression(email: str) -> Suppression | None:
    return Suppression.objects.active().with_email(email).first()


def suppress(
    *,
    email: str,
    reason: str,
    detail: str = "",
    source: str = "",
    event: MailEvent | None = None,
) -> Suppression:
    """Put ``email`` on the suppression list (idempotent: an address already
    suppressed keeps its first reason)."""
    email = normalise(email)
    existing = active_suppression(email)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Suppression.objects.create(
                email=email,
                reason=reason,
                detail=detail[:2000],
                source=source[:50],
                event=event,
            )
    except IntegrityError:
        # Two reports at once: the other one suppressed it.
        return active_suppression(email)


def lift(*, suppression: Suppression, user=None) -> bool:
    """Staff lift a suppression: the address may receive mailings again (if it
    is still subscribed). The row stays, as the record of what happened."""
    return bool(
        Suppression.objects.filter(pk=suppression.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=user
        )
    )


def _unsubscribe_address(email: str) -> None:
    from listserv.services import subscriber_unsubscribe

    for subscriber in Subscriber.objects.with_email(email):
        subscriber_unsubscribe(subscriber=subscriber)


@transaction.atomic
def record_event(
    *,
    email: str,
    kind: str,
    source: str = "",
    event_id: str = "",
    description: str = "",
    occurred_at: datetime.datetime | None = None,
) -> MailEvent | None:
    """Keep one report and apply its effect, in one transaction (a failure
    leaves nothing recorded, so the provider's retry applies it). A report
    already received (same provider, event id and address) is ignored:
    providers retry webhooks. A recipient that is not an address is logged."""
    email = normalise(email)
    try:
        validate_email(email)
        if len(email) > 254:  # the column's size
            raise ValidationError("too long")
    except ValidationError:
        logger.warning("Listserv: %s event for a non-address %r", source, email[:80])
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            event = MailEvent.objects.create(
                email=email,
                kind=kind,
                source=(source or "")[:50],
                event_id=(event_id or "")[:200],
                description=(description or "")[:2000],
                occurred_at=occurred_at or now,
                received_at=now,
            )
    except IntegrityError:
        logger.info("Listserv: %s event %s already recorded", source, event_id)
        return None
    if kind == Kind.COMPLAINT:
        suppress(
            email=email,
            reason=Suppression.Reason.COMPLAINT,
            detail=description,
            source=source,
            event=event,
        )
        _unsubscribe_address(email)
    elif kind == Kind.HARD_BOUNCE:
        suppress(
            email=email,
            reason=Suppression.Reason.HARD_BOUNCE,
            detail=description,
            source=source,
            event=event,
        )
    elif kind == Kind.SOFT_BOUNCE:
        if _soft_bounces(email) >= settings.LISTSERV_SOFT_BOUNCE_LIMIT:
            suppress(
                email=email,
                reason=Suppression.Reason.SOFT_BOUNCES,
                detail=description,
                source=source,
                event=event,
            )
    elif kind == Kind.UNSUBSCRIBE:
        _unsubscribe_address(email)
    return event


def _soft_bounces(email: str) -> int:
    since = timezone.now() - datetime.timedelta(days=settings.LISTSERV_SOFT_BOUNCE_DAYS)
    last_lift = (
        Suppression.objects.with_email(email)
        .filter(lifted_at__isnull=False)
        .order_by("-lifted_at")
        .values_list("lifted_at", flat=True)
        .first()
    )
    if last_lift and last_lift > since:
        since = last_lift
    return MailEvent.objects.filter(
        email=email, kind=Kind.SOFT_BOUNCE, received_at__gte=since
    ).count()


# ------------------------------------------------------------------------------
# anymail's normalised tracking events
# ------------------------------------------------------------------------------
_SMTP_CODE = re.compile(r"^\s*(?:smtp;\s*)?([245])\d\d\b|\b([245])\.\d{1,3}\.\d{1,3}\b")


def _is_soft_bounce(event) -> bool:
    """A bounce the provider calls temporary (mailbox full, server busy)."""
    description = str(getattr(event, "description", "") or "")
    if description.lower().startswith("transient"):  # Amazon SES bounceType
        return True
    esp_event = getattr(event, "esp_event", None)
    if isinstance(esp_event, dict) and esp_event.get("Type") == "SoftBounce":
        return True  # Postmark
    match = _SMTP_CODE.search(str(getattr(event, "mta_response", "") or ""))
    return bool(match) and (match.group(1) or match.group(2)) == "4"


def kind_of(event) -> str | None:
    """The ``MailEvent.Kind`` of an anymail tracking event, or None when it does
    not change anything (delivered, opened, deferred, ...)."""
    from anymail.signals import EventType, RejectReason

    event_type = getattr(event, "event_type", None)
    reject_reason = getattr(event, "reject_reason", None)
    if event_type == EventType.COMPLAINED:
        return Kind.COMPLAINT
    if event_type == EventType.BOUNCED:
        return Kind.SOFT_BOUNCE if _is_soft_bounce(event) else Kind.HARD_BOUNCE
    if event_type == EventType.REJECTED:
        # The provider refused to send: its own list says the address is dead
        # or complained before.
        if reject_reason in (RejectReason.BOUNCED, RejectReason.INVALID):
            return Kind.HARD_BOUNCE
        if reject_reason == RejectReason.SPAM:
            return Kind.COMPLAINT
        return None
    if event_type == EventType.UNSUBSCRIBED:
        return Kind.UNSUBSCRIBE
    return None


def handle_tracking_event(sender, event, esp_name, **kwargs) -> None:
    """Receiver of anymail's ``tracking`` signal (connected in ``apps.py``)."""
    kind = kind_of(event)
    if kind is None or not getattr(event, "recipient", None):
        return
    description = " — ".join(
        str(part)
        for part in (
            getattr(event, "description", None),
            getattr(event, "mta_response", None),
        )
        if part
    )
    record_event(
        email=event.recipient,
        kind=kind,
        source=esp_name or "",
        event_id=str(getattr(event, "event_id", "") or ""),
        description=description or str(event.event_type),
        occurred_at=getattr(event, "timestamp", None),
    )
