"""The paginator of every list page."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# OFFSET makes a page cost in proportion to its number: past this many pages the
# list asks for narrower filters instead (see templates/includes/_pagination.html).
MAX_PAGES = 50


class PortalPaginator(Paginator):
    """Django's paginator with a page past the end (an old shared link, a list that
    shrank) showing the last page instead of a 404, and at most ``MAX_PAGES`` pages."""

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, MAX_PAGES)

    @property
    def is_capped(self) -> bool:
        """True when some rows lie past the last page."""
        return self.count > self.num_pages * self.per_page

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # PageNotAnInteger
        return max(1, min(number, self.num_pages))
