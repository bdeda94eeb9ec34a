"""Places the portal asks about: one list of US states and territories for every app.

The names and their translations come from django-localflavor. A model field takes
``choices=us_state_choices`` (the function, not its result): migrations then name
the function instead of copying the list, and each page sorts the names in the
reader's language.
"""

from django.utils.translation import gettext_lazy as _
from localflavor.us.us_states import (
    CONTIGUOUS_STATES,
    NON_CONTIGUOUS_STATES,
    US_STATES,
    US_TERRITORIES,
)

# localflavor calls it "Virgin Islands"; the portal has always said "U.S." (the
# British Virgin Islands are another place), and so does its Spanish.
_TERRITORIES = [
    (code, _("U.S. Virgin Islands") if code == "VI" else name)
    for code, name in US_TERRITORIES
]

#: Two-letter code -> name: the 50 states, the District of Columbia and the five
#: inhabited territories (no military mail codes, no freely associated states).
US_STATE_NAMES = dict(CONTIGUOUS_STATES + NON_CONTIGUOUS_STATES + tuple(_TERRITORIES))


def us_state_choices() -> list[tuple[str, str]]:
    """The states and the District of Columbia by name in the active language,
    then the territories."""
    # localflavor's US_STATES is sorted by name each time it is read.
    return [*US_STATES, *sorted(_TERRITORIES, key=lambda choice: str(choice[1]))]


def us_state_name(code: str) -> str:
    """The name of a two-letter code ("" for none; an unknown code as it is)."""
    return US_STATE_NAMES.get(code, code) if code else ""
