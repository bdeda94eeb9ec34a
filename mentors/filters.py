"""Directory filters: each is a GET parameter, so every view is a shareable URL."""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from lmsa_portal.localized import localized_name_ordering, sort_key
from lmsa_portal.locations import us_state_choices
from lmsa_portal.search import search_queryset
from mentors.models import (
    MENTEE_LEVEL_FIELDS,
    MODE_FIELDS,
    Language,
    MenteeLevel,
    Mentor,
    MentoringMode,
    language_name,
)
from residency_hub.models import specialty_choices

SEARCH_FIELDS = [
    "first_name",
    "last_name",
    "institution",
    "specialty__name",
    "specialty__name_es",
    "subspecialty",
    "bio",
    "special_requests",
]


def language_choices() -> list[tuple[str, str]]:
    """(code, name in the reader's language), in that name's order: one query."""
    rows = Language.objects.values_list("code", "name", "name_es")
    choices = [(code, language_name(code, *names)) for code, *names in rows]
    return sorted(choices, key=lambda choice: sort_key(choice[1]))


SORT_CHOICES = [
    ("name", _("Name (A to Z)")),
    ("specialty", _("Specialty")),
    ("state", _("State")),
    ("recent", _("Recently confirmed")),
]
SORT_ORDERINGS = {
    "name": ["last_name", "first_name", "pk"],
    # By the specialty's name in the reader's language, so computed per request.
    "specialty": lambda: [
        localized_name_ordering("specialty__"),
        "last_name",
        "first_name",
        "pk",
    ],
    "state": ["state", "city", "last_name", "pk"],
    "recent": [F("confirmed_at").desc(nulls_last=True), "last_name", "pk"],
}


class MentorFilter(django_filters.FilterSet):
    """Search, filters and sort of the mentor directory."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, institution, interests…")}
        ),
    )
    specialty = django_filters.ChoiceFilter(
        label=_("Specialty"),
        field_name="specialty__slug",
        choices=specialty_choices,
        empty_label=_("Any specialty"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State or territory"),
        choices=us_state_choices,
        empty_label=_("Any state"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Speaks"),
        field_name="languages__code",
        choices=language_choices,
        empty_label=_("Any language"),
    )
    level = django_filters.ChoiceFilter(
        label=_("Open to"),
        choices=MenteeLevel.choices,
        method="filter_level",
        empty_label=_("Premeds, medical students or residents"),
    )
    mode = django_filters.ChoiceFilter(
        label=_("Meets"),
        choices=MentoringMode.choices,
        method="filter_mode",
        empty_label=_("Virtually or in person"),
    )
    accepting = django_filters.BooleanFilter(
        label=_("Only mentors accepting new mentees"),
        field_name="accepting_mentees",
        method="filter_accepting",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Mentor
        fields = ["q", "specialty", "state", "language", "level", "mode", "accepting"]

    def filter_search(self, queryset, name, value):
        return search_queryset(queryset, value, SEARCH_FIELDS)

    def filter_level(self, queryset, name, value):
        return queryset.filter(**{MENTEE_LEVEL_FIELDS[MenteeLevel(value)]: True})

    def filter_mode(self, queryset, name, value):
        return queryset.filter(**{MODE_FIELDS[MentoringMode(value)]: True})

    def filter_accepting(self, queryset, name, value):
        # An unticked box means "everyone", not "only those not accepting".
        return queryset.filter(taking=1) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in ``qs``, so search rank can break ties

    @property
    def qs(self):
        queryset = super().qs
        # Filters not understood are left out (the form shows their errors).
        sort = getattr(self.form, "cleaned_data", {}).get("sort")
        # Mentors who take new mentees now come first, in any order chosen.
        if not sort and "search_rank" in queryset.query.annotations:
            return queryset.order_by("-taking", "-search_rank", "last_name", "pk")
        ordering = SORT_ORDERINGS.get(sort or "name")
        ordering = ordering() if callable(ordering) else ordering
        return queryset.order_by("-taking", *ordering)


def saved_search_query(data) -> tuple[str, dict]:
    """The canonical query string of directory filters (``data``: a QueryDict),
    and the filter form's errors by field label: ``("", errors)`` when any
    filter is unknown or not understood, so junk is never saved."""
    form = MentorFilter(data=data, queryset=Mentor.objects.none()).form
    errors = {}
    unknown = sorted(set(data) - set(form.fields) - {"page"})
    if unknown:
        errors[str(_("Unknown filters"))] = [", ".join(unknown)]
    if not form.is_valid():
        for name, messages in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            errors[str(label)] = [str(message) for message in messages]
    if errors:
        return "", errors
    # In the form's order, as the form reads them (the last of repeated values).
    pairs = [
        (name, data.get(name, "").strip())
        for name in form.fields
        if data.get(name, "").strip()
    ]
    return urlencode(pairs), {}
