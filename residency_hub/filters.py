"""Directory filters: each is a GET parameter, so every view is a shareable URL."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from lmsa_portal.localized import ContentLanguage
from lmsa_portal.locations import us_state_choices
from lmsa_portal.search import search_queryset
from residency_hub.models import Program, specialty_choices

PROGRAM_SEARCH_FIELDS = [
    "name",
    "institution",
    "city",
    "diversity_mission",
    "dei_initiatives",
    "pipeline_opportunities",
    "special_tracks",
]


class ProgramFilter(django_filters.FilterSet):
    """Directory filters; every value lives in the query string (shareable URLs)."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput({"type": "search"})
    )
    specialty = django_filters.ChoiceFilter(
        label=_("Specialty"),
        field_name="specialty__slug",
        choices=specialty_choices,
        empty_label=_("All specialties"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=us_state_choices, empty_label=_("All states")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=ContentLanguage.choices,
        empty_label=_("Any language"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=None,
        null_label=None,
        fields=(
            ("name", "name"),
            ("institution", "institution"),
            ("state", "state"),
            ("last_verified_on", "last_verified_on"),
        ),
        field_labels={
            "name": _("Program name"),
            "institution": _("Institution"),
            "state": _("State"),
            "-last_verified_on": _("Recently verified"),
        },
    )

    class Meta:
        model = Program
        fields = ["q", "specialty", "state", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the four orders we index, without the descending duplicates.
        self.filters["sort"].extra["choices"] = [
            ("name", _("Program name")),
            ("institution", _("Institution")),
            ("state", _("State")),
            ("-last_verified_on", _("Recently verified")),
        ]

    def search(self, queryset, name, value):
        return search_queryset(queryset, value, PROGRAM_SEARCH_FIELDS)

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            queryset = queryset.order_by("name", "institution")
        return queryset
