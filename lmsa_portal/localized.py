"""Names kept as data (specialties, AMA topics, languages) shown in the reader's
language.

Each such model has its English ``name`` and a ``name_es`` staff may edit in admin
(blank: the English name is shown). ``LocalizedNameMixin`` gives it
``localized_name``, which the model's ``__str__`` returns, so templates, form
choices, admin and emails follow the active language; ``localized_choices`` and
``localized_name_ordering`` sort lists and querysets by the name the reader sees.
"""

import unicodedata

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def spanish_active() -> bool:
    return (get_language() or "").split("-")[0] == "es"


def spanish_name_field(max_length: int = 120) -> models.CharField:
    """The ``name_es`` field of a model with ``LocalizedNameMixin``. Empty by
    default in the database too: code that predates the field (a release being
    rolled out, a migration's historical model) still inserts rows."""
    return models.CharField(
        _("name in Spanish"),
        max_length=max_length,
        blank=True,
        default="",
        db_default="",
        help_text=_("Shown to Spanish readers; when blank they see the name."),
    )


def pick_name(name: str, name_es: str) -> str:
    """The name a reader sees, from the two stored names."""
    if name_es and spanish_active():
        return name_es
    return name


def sort_key(text: str) -> str:
    """Alphabetical order as a reader expects it: "Árabe" among the A's."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def localized_choices(queryset, value_field: str = "slug") -> list[tuple[str, str]]:
    """(value, name the reader sees) of every row, in that name's order: one query."""
    rows = queryset.values_list(value_field, "name", "name_es")
    choices = [(value, pick_name(name, name_es)) for value, name, name_es in rows]
    return sorted(choices, key=lambda choice: sort_key(choice[1]))


def localized_name_ordering(prefix: str = ""):
    """An ``order_by`` expression: the name the reader sees (``prefix`` reaches it
    through a relation, e.g. ``"specialty__"``)."""
    if spanish_active():
        return Coalesce(NullIf(F(f"{prefix}name_es"), Value("")), F(f"{prefix}name"))
    return F(f"{prefix}name")


class LocalizedNameMixin:
    """For a model with ``name`` and ``name_es`` (see ``spanish_name_field``)."""

    @property
    def localized_name(self) -> str:
        return pick_name(self.name, self.name_es)


class ContentLanguage(models.TextChoices):
    """The one language something is delivered in: an AMA session was held in it, a
    program offers its DEI activities and events in it (programs.language and
    ama.Video.language). Not the languages a mentor speaks: those are rows of
    ``mentors.Language``, several per mentor, open-ended (staff add Haitian Creole,
    Vietnamese...); and not a person's email language (``settings.LANGUAGES``)."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
