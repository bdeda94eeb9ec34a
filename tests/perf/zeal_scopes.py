"""django-zeal in the test suite: N+1 queries fail every request, with two scopes.

Staff tools under /admin/ work row by row on purpose: a spreadsheet import
validates, saves and records history for each row (django-import-export), and a
bulk action runs the one-listing service for each mentor so each physician gets
their own email. Those per-row lookups are allowed there, and only there; member
and public pages stay strict.
"""

from zeal import zeal_ignore

ADMIN_PER_ROW = [
    # The raw-id widget of a membership's user looks that user up to label it,
    # after the request's own user was loaded: two User.get() on one page.
    {"model": "members.User", "field": "get()"},
    {"model": "members.RosterEntry", "field": "get()"},
    {"model": "mentors.Mentor", "field": "get()"},
    {"model": "mentors.Mentor", "field": "languages"},
    {"model": "listserv.Subscriber", "field": "get()"},
    {"model": "listserv.Subscriber", "field": "interests"},
    {"model": "ama.Video", "field": "get()"},
    {"model": "ama.Video", "field": "topics"},
]


def admin_per_row_allowed(get_response):
    """Wrap /admin/ requests in zeal_ignore for the per-row staff workflows only."""

    def middleware(request):
        if request.path.startswith("/admin/"):
            with zeal_ignore(ADMIN_PER_ROW):
                return get_response(request)
        return get_response(request)

    return middleware
