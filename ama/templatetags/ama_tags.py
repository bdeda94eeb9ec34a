"""``{% load ama_tags %}``: the AMA announcements card and toggle."""

from django import template

from ama.models import AnnouncementSubscription
from members.access import is_active_member

register = template.Library()


@register.simple_tag(takes_context=True)
def ama_announcement_status(context) -> dict:
    """Whether the signed-in person may ask for AMA announcements, and has."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_active_member(user):
        return {"can_subscribe": False, "subscribed": False}
    subscribed = AnnouncementSubscription.objects.filter(user=user).exists()
    return {"can_subscribe": True, "subscribed": subscribed}
