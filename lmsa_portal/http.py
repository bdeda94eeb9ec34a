"""Small HTTP helpers shared by the apps."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_to_next(request: HttpRequest, default: str = "members:me") -> HttpResponse:
    """Back to the page a form came from (its ``next`` field, this site only),
    else to ``default``: one-click forms on the account page and elsewhere."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # A URL, never a view name: redirect("a@b") would try to reverse it.
        return HttpResponseRedirect(target)
    return redirect(default)
