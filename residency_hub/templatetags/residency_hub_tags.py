"""Template helpers for calendar subscription links."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from lmsa_portal.localized import sort_key
from members.access import is_active_member as access_rule
from residency_hub import services
from residency_hub.models import Specialty

register = template.Library()


@register.simple_tag
def feed_token_for(user):
    """The member's live calendar feed token, or None."""
    return services.current_feed_token(user=user)


@register.simple_tag(takes_context=True)
def feed_url(context, specialty, token: str | None) -> str:
    """The absolute https address of a specialty's feed with the member's token."""
    if not token:
        return ""
    path = reverse("residency_hub:calendar-feed", args=[specialty.slug])
    return context["request"].build_absolute_uri(
        f"{path}?{urlencode({'token': token})}"
    )


@register.filter
def webcal(url: str) -> str:
    """The same address with the webcal: scheme calendar apps subscribe to."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            return "webcal://" + url.removeprefix(prefix)
    return url


@register.simple_tag
def specialties_with_upcoming_events():
    """Specialties that have events ahead, for the account page's feed links, in
    the order of the names the reader sees."""
    specialties = Specialty.objects.filter(events__ends_at__gte=timezone.now())
    return sorted(specialties.distinct(), key=lambda s: sort_key(s.localized_name))


@register.filter
def is_active_member(user) -> bool:
    """The portal's access rule, for templates shown to any signed-in user."""
    return access_rule(user)
