"""Template helpers shared across the portal."""

from django import template
from django.utils.safestring import mark_safe

from lmsa_portal.localized import sort_key
from lmsa_portal.phones import phone_display, phone_link
from lmsa_portal.text import render_markdown
from lmsa_portal.time_zones import zone_name

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    """Render staff-written Markdown as sanitised HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter(name="zone_name")
def zone_name_filter(zone) -> str:
    """A time zone in words: ``{{ current_zone|zone_name }}`` gives "Pacific Time"."""
    return zone_name(zone)


@register.filter(name="in_shown_order")
def in_shown_order(items) -> list:
    """Names kept as data (languages, topics) in the order of the name the reader
    sees: "Criollo haitiano, Español, Lengua de señas americana" in Spanish."""
    return sorted(items, key=lambda item: sort_key(str(item)))


# Phone numbers: national format for US numbers, a tel: link for valid ones.
register.filter("phone_display", phone_display)
register.filter("phone_link", phone_link)
