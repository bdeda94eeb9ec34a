"""Archive filters: audience, topic, year, language and free-text search."""

import django_filters
from django import forms
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from ama.models import Audience, Topic, Video
from lmsa_portal.localized import ContentLanguage, localized_choices
from lmsa_portal.search import search_queryset

SEARCH_FIELDS = [
    "title",
    "description",
    "summary",
    "transcript",
    "panelists__name",
    "panelists__role",
    "topics__name",
    "topics__name_es",
]


def year_choices() -> list[tuple[str, str]]:
    years = (
        Video.objects.published()
        .annotate(year=ExtractYear("date"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return [(str(year), str(year)) for year in years]


def topic_choices() -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of every topic, in that order."""
    return localized_choices(Topic.objects.all())


class VideoFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("MCAT, personal statement, Match..."),
            }
        ),
    )
    topic = django_filters.ChoiceFilter(
        label=_("Topic"),
        field_name="topics__slug",
        choices=topic_choices,
        empty_label=_("All topics"),
    )
    audience = django_filters.ChoiceFilter(
        label=_("Audience"),
        choices=Audience.choices,
        empty_label=_("Everyone"),
        method="filter_audience",
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"),
        field_name="date",
        lookup_expr="year",
        choices=year_choices,
        empty_label=_("All years"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=ContentLanguage.choices,
        empty_label=_("Any language"),
    )

    class Meta:
        model = Video
        fields = ["q", "topic", "audience", "year", "language"]

    def filter_audience(self, queryset, name, value):
        # A session for premed and medical students is for premeds too.
        if value == Audience.BOTH:
            return queryset.filter(audience=Audience.BOTH)
        return queryset.filter(audience__in=[value, Audience.BOTH])

    def filter_search(self, queryset, name, value):
        # Panelists and topics are searched on their own tables and matched by key
        # (lmsa_portal.search), so the archive never joins them and repeats rows.
        return search_queryset(queryset, value, SEARCH_FIELDS)
