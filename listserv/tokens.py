"""Signed links of the listserv (``lmsa_portal.signing``, one salt per purpose)."""

from django.conf import settings
from django.core import signing

from listserv.models import Subscriber
from lmsa_portal.signing import address_fingerprint, make_token, read_token

CONFIRM_PURPOSE = "listserv-confirm"
MANAGE_PURPOSE = "listserv-manage"


def confirm_max_age_seconds() -> int:
    return settings.LISTSERV_CONFIRM_LINK_DAYS * 86400


def manage_max_age_seconds() -> int:
    # Unsubscribe links sit in old emails: they must keep working for a long time.
    return settings.LISTSERV_MANAGE_LINK_DAYS * 86400


def make_confirm_token(subscriber: Subscriber) -> str:
    """A confirmation link bound to the subscriber and the address it was sent to
    (by its fingerprint: the link does not carry the address)."""
    return make_token(
        purpose=CONFIRM_PURPOSE,
        value={"s": subscriber.pk, "a": address_fingerprint(subscriber.email)},
    )


def make_manage_token(subscriber_id: int) -> str:
    """The token of the unsubscribe and preferences links."""
    return make_token(purpose=MANAGE_PURPOSE, value={"s": subscriber_id})


def subscriber_from_confirm_token(token: str) -> Subscriber:
    """The subscriber a confirmation link is for; ``signing.BadSignature``
    (``SignatureExpired``) when the link is forged, stale or for another address."""
    value = read_token(
        purpose=CONFIRM_PURPOSE, token=token, max_age_seconds=confirm_max_age_seconds()
    )
    try:
        subscriber = Subscriber.objects.get(pk=value["s"])
    except (Subscriber.DoesNotExist, KeyError, TypeError) as error:
        raise signing.BadSignature("unknown subscriber") from error
    same_address = value.get("a") == address_fingerprint(subscriber.email)
    # Links sent before December 2026 carry the address itself ("e").
    if not (same_address or value.get("e") == subscriber.email):
        raise signing.BadSignature("the address changed since the link was sent")
    return subscriber


def subscriber_from_manage_token(token: str) -> Subscriber:
    """The subscriber of an unsubscribe/preferences link, or ``BadSignature``."""
    value = read_token(
        purpose=MANAGE_PURPOSE, token=token, max_age_seconds=manage_max_age_seconds()
    )
    try:
        return Subscriber.objects.select_related("specialty").get(pk=value["s"])
    except (Subscriber.DoesNotExist, KeyError, TypeError) as error:
        raise signing.BadSignature("unknown subscriber") from error
