"""Listserv workflows: sign-up with double opt-in, confirmation, leaving, the member
shortcut, and queueing a mailing (the sending loop itself is in ``sending.py``)."""

import datetime
import logging

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from listserv.models import (
    Delivery,
    Frequency,
    Interest,
    Mailing,
    Role,
    Subscriber,
    Suppression,
)
from lmsa_portal.mail import portal_url, send_templated_email
from lmsa_portal.signing import SignedLink, address_fingerprint

logger = logging.getLogger(__name__)

CONSENT_TEXT = _(
    "I agree to receive occasional emails regarding mentorship volunteer "
    "opportunities through LMSA and other partner organizations. I can leave the "
    "list at any time with the link in every email."
)
MEMBER_CONSENT_TEXT = _(
    "Subscribed from the LMSA member account (verified email address) to receive "
    "occasional emails regarding mentorship volunteer opportunities through LMSA "
    "and other partner organizations."
)
IMPORT_CONSENT_TEXT = "Imported by LMSA staff; consent asked by confirmation email."

SUBSCRIBER_FIELDS = [
    "name",
    "role",
    "institution",
    "specialty",
    "state",
    "region",
    "frequency",
]


# ------------------------------------------------------------------------------
# Signed links (lmsa_portal.signing)
# ------------------------------------------------------------------------------
def _subscriber_at_address(value) -> Subscriber:
    """The subscriber a confirmation link is for, if the address it was sent to
    is still theirs."""
    subscriber = Subscriber.objects.get(pk=value["s"])
    same_address = value.get("a") == address_fingerprint(subscriber.email)
    # Links sent before December 2026 carry the address itself ("e").
    if not (same_address or value.get("e") == subscriber.email):
        raise signing.BadSignature("the address changed since the link was sent")
    return subscriber


# Double opt-in, bound to the address it was sent to (by its fingerprint: the
# link does not carry the address).
CONFIRM_LINK = SignedLink(
    purpose="listserv-confirm",
    url_name="listserv:confirm",
    max_age_setting="LISTSERV_CONFIRM_LINK_DAYS",
    sign=lambda subscriber: {
        "s": subscriber.pk,
        "a": address_fingerprint(subscriber.email),
    },
    load=_subscriber_at_address,
    renew_url_name="listserv:signup",
    renew_label=_("Sign up again to get a new link"),
)
# Preferences and unsubscribe (one token for both pages): they sit in old
# emails, so they keep working for a long time. Signed from the id alone, as
# the sending loop has no more.
MANAGE_LINK = SignedLink(
    purpose="listserv-manage",
    url_name="listserv:preferences",
    max_age_setting="LISTSERV_MANAGE_LINK_DAYS",
    sign=lambda subscriber_id: {"s": subscriber_id},
    load=lambda value: Subscriber.objects.select_related("specialty").get(
        pk=value["s"]
    ),
    renew_url_name="listserv:signup",
    renew_label=_("Sign up again to get a new link"),
)


def manage_links(subscriber: Subscriber, *, base_url: str | None = None) -> dict:
    token = MANAGE_LINK.token(subscriber.pk)
    return {
        "preferences_url": portal_url(
            reverse("listserv:preferences", args=[token]), base_url=base_url
        ),
        "unsubscribe_url": portal_url(
            reverse("listserv:unsubscribe", args=[token]), base_url=base_url
        ),
    }


def subscriber_send_confirmation(
    *, subscriber: Subscriber, base_url: str | None = None, language: str | None = None
) -> None:
    """Email the double opt-in link (also used by staff for imported addresses)."""
    confirm_url = CONFIRM_LINK.url(subscriber, base_url=base_url)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=timezone.now()
    )
    send_templated_email(
        template_prefix="listserv/email/confirm",
        to=[subscriber.email],
        context={
            "subscriber": subscriber,
            "confirm_url": confirm_url,
            "link_days": settings.LISTSERV_CONFIRM_LINK_DAYS,
        },
        language=language or get_language(),
    )


def subscriber_signup(
    *,
    email: str,
    interests: list[Interest] | QuerySet,
    base_url: str | None = None,
    **fields,
) -> None:
    """Handle a sign-up without revealing whether the address is on the list.

    A new (or unsubscribed, or still unconfirmed) address gets a confirmation link;
    an address already confirmed gets a "manage your preferences" email instead.
    Either way the page says the same thing.
    """
    email = email.strip().lower()
    try:
        with transaction.atomic():
            subscriber = (
                Subscriber.objects.select_for_update().with_email(email).first()
            )
            if subscriber is not None and subscriber.is_confirmed:
                already = subscriber
            else:
                already = None
                subscriber = subscriber or Subscriber(
                    email=email, source=Subscriber.Source.SIGNUP
                )
                for name in SUBSCRIBER_FIELDS:
                    if name in fields:
                        setattr(subscriber, name, fields[name])
                subscriber.consent_text = str(CONSENT_TEXT)
                subscriber.save()
                subscriber.interests.set(interests)
    except IntegrityError:
        # Two sign-ups for the same new address at once: the first one wins and
        # has already sent its confirmation.
        logger.info("Concurrent listserv sign-up for one address ignored")
        return
    if already is not None:
        send_templated_email(
            template_prefix="listserv/email/already_subscribed",
            to=[already.email],
            context={"subscriber": already, **manage_links(already, base_url=base_url)},
            language=get_language(),
        )
        return
    subscriber_send_confirmation(subscriber=subscriber, base_url=base_url)


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    """Double opt-in completed (idempotent)."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if not subscriber.is_confirmed:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.save()
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Leave the list at once (idempotent); no further mailing reaches them."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save()
    return subscriber


def subscriber_resubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Come back from a signed link: the link proves the address, so no new opt-in."""
    return subscriber_confirm(subscriber=subscriber)


def has_verified_email(user) -> bool:
    return EmailAddress.objects.filter(
        user=user, email__iexact=user.email, verified=True
    ).exists()


def subscriber_for_user(user) -> Subscriber | None:
    """The subscription of a signed-in person: linked to the account, or with
    the same address once that address is verified (an unverified account must
    not see or manage somebody else's subscription)."""
    if not getattr(user, "is_authenticated", False):
        return None
    linked = Subscriber.objects.filter(user=user).first()
    if linked is not None:
        return linked
    if not has_verified_email(user):
        return None
    return Subscriber.objects.with_email(user.email).first()


_ROLE_OF_MEMBER_TYPE = {
    "physician": Role.PHYSICIAN,
    "resident": Role.RESIDENT,
    "medical_student": Role.MEDICAL_STUDENT,
}


def member_subscribe(*, user) -> Subscriber:
    """One-click subscription of a member whose email is verified: no second
    confirmation, the verified address is the opt-in."""
    if not has_verified_email(user):
        raise ValueError("The member's email address is not verified.")
    try:
        return _member_subscribe(user=user)
    except IntegrityError:
        # A double click: the other request created the row in between (nothing
        # to lock before it existed); this time it is found and updated.
        return _member_subscribe(user=user)


def _member_subscribe(*, user) -> Subscriber:
    membership = getattr(user, "membership", None)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(user=user).first()
            or Subscriber.objects.select_for_update().with_email(user.email).first()
        )
        if subscriber is None:
            subscriber = Subscriber(
                email=user.email,
                source=Subscriber.Source.MEMBER,
                name=user.get_full_name() or user.email.split("@")[0],
                role=_ROLE_OF_MEMBER_TYPE.get(
                    getattr(membership, "member_type", ""), Role.OTHER
                ),
                institution=getattr(membership, "institution", "") or "",
            )
        subscriber.user = user
        # A member's region is the one of their membership.
        if getattr(membership, "region", ""):
            subscriber.region = membership.region
        if not subscriber.is_confirmed:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = timezone.now()
            subscriber.unsubscribed_at = None
            subscriber.consent_text = str(MEMBER_CONSENT_TEXT)
        subscriber.save()
    return subscriber


def purge_unconfirmed(*, days: int = 30) -> int:
    """Delete sign-ups never confirmed within ``days`` of the confirmation request."""
    _total, per_model = Subscriber.objects.purgeable(days=days).delete()
    return per_model.get(Subscriber._meta.label, 0)


# ------------------------------------------------------------------------------
# Mailings
# ------------------------------------------------------------------------------
def mailing_audience(mailing: Mailing) -> QuerySet:
    """Confirmed subscribers matching every filter of ``mailing`` (an empty filter
    matches everyone); "at most monthly" subscribers who got a mailing in the
    last 30 days are left out, and so are suppressed addresses (bounced,
    complained)."""
    audience = Subscriber.objects.confirmed().exclude(
        email__in=Suppression.objects.active().values("email")
    )
    if mailing.roles:
        audience = audience.filter(role__in=mailing.roles)
    if mailing.states:
        audience = audience.filter(state__in=mailing.states)
    if mailing.regions:
        audience = audience.filter(region__in=mailing.regions)
    if mailing.pk:
        specialty_ids = list(mailing.specialties.values_list("pk", flat=True))
        if specialty_ids:
            audience = audience.filter(specialty_id__in=specialty_ids)
        interest_ids = list(mailing.interests.values_list("pk", flat=True))
        if interest_ids:
            audience = audience.filter(
                pk__in=Subscriber.interests.through.objects.filter(
                    interest_id__in=interest_ids
                ).values("subscriber_id")
            )
        recent = (
            Delivery.objects.filter(
                status=Delivery.Status.SENT,
                sent_at__gte=timezone.now() - datetime.timedelta(days=30),
            )
            .exclude(mailing=mailing)
            .values("subscriber_id")
        )
        audience = audience.exclude(frequency=Frequency.MONTHLY, pk__in=recent)
    return audience


def mailing_queue(*, mailing: Mailing) -> int:
    """Freeze the audience: one queued delivery per recipient, created up front
    (the unique constraint makes a second call harmless). Returns the count."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if mailing.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise ValueError("Only a draft mailing can be sent.")
        subscriber_ids = list(mailing_audience(mailing).values_list("pk", flat=True))
        now = timezone.now()
        Delivery.objects.bulk_create(
            (
                Delivery(mailing=mailing, subscriber_id=pk, created_at=now)
                for pk in subscriber_ids
            ),
            batch_size=1000,
            ignore_conflicts=True,
        )
        mailing.status = Mailing.Status.QUEUED
        mailing.queued_at = now
        mailing.save()
    return len(subscriber_ids)


def _enqueue_sending(mailing: Mailing) -> None:
    from listserv.tasks import send_mailing

    # A long mailing can run on its own queue (and worker), so confirmation
    # emails on the default queue are not stuck behind it.
    queue_name = settings.LISTSERV_TASK_QUEUE or None
    send_mailing.using(queue_name=queue_name).enqueue(mailing_id=mailing.pk)


def mailing_send(*, mailing: Mailing) -> int:
    """Queue the deliveries and hand the sending to the background worker."""
    count = mailing_queue(mailing=mailing)
    _enqueue_sending(mailing)
    return count


def mailing_schedule(*, mailing: Mailing, send_at: datetime.datetime) -> None:
    """Send a draft at ``send_at``: the task backend starts it then (django-tasks'
    ``run_after``, which the database backend of production supports); the
    ``listserv_start_scheduled`` command does the same from cron where the backend
    cannot defer. The audience is chosen when it starts, not now."""
    with transaction.atomic():
        locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
        if locked.status != Mailing.Status.DRAFT:
            raise ValueError("Only a draft mailing can be scheduled.")
        locked.status = Mailing.Status.SCHEDULED
        locked.send_at = send_at
        locked.save()
    mailing.refresh_from_db()
    from listserv.tasks import start_scheduled_mailing

    if start_scheduled_mailing.get_backend().supports_defer:
        task = start_scheduled_mailing.using(run_after=send_at)
        transaction.on_commit(lambda: task.enqueue(mailing_id=mailing.pk))


def mailing_unschedule(*, mailing: Mailing) -> bool:
    """Back to draft (its pending start does nothing when it comes)."""
    changed = Mailing.objects.filter(
        pk=mailing.pk, status=Mailing.Status.SCHEDULED
    ).update(status=Mailing.Status.DRAFT, send_at=None)
    mailing.refresh_from_db()
    return bool(changed)


def mailing_start_if_due(
    *, mailing_id: int, now: datetime.datetime | None = None
) -> bool:
    """Start a scheduled mailing whose time has come (idempotent: a second call,
    or a call before its time, does nothing). Returns whether it started."""
    now = now or timezone.now()
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update()
            .filter(pk=mailing_id, status=Mailing.Status.SCHEDULED, send_at__lte=now)
            .first()
        )
        if mailing is None:
            return False
        mailing_queue(mailing=mailing)
    _enqueue_sending(mailing)
    return True


def mailing_start_due(*, now: datetime.datetime | None = None) -> int:
    """Start every scheduled mailing whose time has come (the cron fallback)."""
    now = now or timezone.now()
    due = Mailing.objects.filter(
        status=Mailing.Status.SCHEDULED, send_at__lte=now
    ).values_list("pk", flat=True)
    return sum(mailing_start_if_due(mailing_id=pk, now=now) for pk in list(due))


def mailing_resume(*, mailing: Mailing) -> None:
    """Start another sending run for a mailing whose worker stopped."""
    if mailing.status in (Mailing.Status.QUEUED, Mailing.Status.SENDING):
        _enqueue_sending(mailing)


def mailing_requeue_failed(*, mailing: Mailing) -> int:
    """Give failed deliveries a fresh set of attempts (staff action)."""
    count = Delivery.objects.filter(
        mailing=mailing, status=Delivery.Status.FAILED
    ).update(
        status=Delivery.Status.QUEUED,
        attempts=0,
        claimed_by=None,
        claimed_at=None,
        retry_after=None,
    )
    if count:
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.QUEUED)
        mailing.refresh_from_db()
        mailing_resume(mailing=mailing)
    return count
