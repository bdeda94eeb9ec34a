"""``{% load mentors_tags %}``: a member's mentorship requests and saved searches
on the account page."""

from django import template

from mentors.models import MentorshipRequest, SavedSearch

register = template.Library()


@register.simple_tag(takes_context=True)
def my_mentorship_requests(context) -> list:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(
        MentorshipRequest.objects.filter(member=user)
        .select_related("mentor")
        .order_by("-created_at")[:20]
    )


@register.simple_tag(takes_context=True)
def my_saved_searches(context) -> list:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(SavedSearch.objects.filter(member=user))
