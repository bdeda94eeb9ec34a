"""``{% load listserv %}``: the listserv card on the member's account page."""

from django import template
from django.urls import reverse

from listserv.services import MANAGE_LINK, has_verified_email, subscriber_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def listserv_account_status(context) -> dict:
    """Whether the signed-in person is subscribed, may subscribe in one click, and
    the link to their preferences."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"subscribed": False, "can_subscribe": False}
    subscriber = subscriber_for_user(user)
    subscribed = subscriber is not None and subscriber.is_confirmed
    return {
        "subscriber": subscriber,
        "subscribed": subscribed,
        "can_subscribe": not subscribed and has_verified_email(user),
        "preferences_url": (
            reverse("listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)])
            if subscriber
            else ""
        ),
    }
