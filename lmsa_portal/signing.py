"""Signed links for actions taken from an email, without a login.

Each kind of link is one ``SignedLink``: its purpose (the salt: a token made for
one action never works for another), the setting that says how many days it
works, the page it opens and what it points at. Every token carries its creation
time, so it expires. ``signed_link_view`` is the one way a page consumes a link:
the view gets what the link points at, and a link that is expired, tampered with,
for another purpose or spent gets the one "this link cannot be used" page.

    SAVED_SEARCH_UNSUBSCRIBE_LINK = SignedLink(  # mentors/services.py
        purpose="mentor-saved-search-unsubscribe",  # never rename: old links use it
        url_name="mentors:saved-search-unsubscribe",
        max_age_setting="MENTOR_SAVED_SEARCH_LINK_MAX_AGE_DAYS",  # declared in base.py
        sign=lambda saved_search: {"search": saved_search.pk},
        load=lambda value: SavedSearch.objects.get(pk=value["search"]),
    )
    SAVED_SEARCH_UNSUBSCRIBE_LINK.url(saved_search)  # in the email

    @signed_link_view(SAVED_SEARCH_UNSUBSCRIBE_LINK)
    def saved_search_unsubscribe(request, saved_search, *, token): ...
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from lmsa_portal.mail import portal_url

DAY = 24 * 60 * 60


def make_token(*, purpose: str, value: str | int | dict) -> str:
    """Sign ``value`` for ``purpose``; the token is URL-safe."""
    return signing.dumps(value, salt=f"lmsa:{purpose}", compress=True)


def read_token(*, purpose: str, token: str, max_age_seconds: int):
    """Return the signed value, or raise ``signing.BadSignature`` (``SignatureExpired``
    when it is authentic but too old)."""
    return signing.loads(token, salt=f"lmsa:{purpose}", max_age=max_age_seconds)


def address_fingerprint(email: str) -> str:
    """A keyed fingerprint of an email address: a link bound to an address carries
    this, never the address itself (a signed token is only base64, and links end
    up in server and proxy logs)."""
    return salted_hmac("lmsa:address", email.strip().lower()).hexdigest()[:20]


class LinkUnusable(Exception):
    """Raised by a link's ``load``: the link is authentic, but what it points at
    can no longer be acted on (a removed listing). The error page shows ``title``
    and ``message`` and, when given, a button to ``action_url_name``."""

    def __init__(
        self,
        *,
        title: str,
        message: str,
        status: int = HTTPStatus.GONE,
        action_url_name: str = "",
        action_label: str = "",
    ):
        super().__init__(title)
        self.title, self.message, self.status = title, message, status
        self.action_url_name, self.action_label = action_url_name, action_label


@dataclass(frozen=True)
class SignedLink:
    """One kind of emailed link. ``sign`` makes the value a token carries from
    what the link is for (keep its shape: links already sent must still load);
    ``load`` turns that value back into what the view gets, and may raise
    ``signing.BadSignature``, ``LinkUnusable`` or a model's ``DoesNotExist``
    (then the link is "not valid"). ``renew_url_name`` is where a person asks
    for a fresh link, offered when this one cannot be used."""

    purpose: str
    url_name: str
    max_age_setting: str
    sign: Callable[..., Any]
    load: Callable[[Any], Any]
    renew_url_name: str = ""
    renew_label: str = _("Email me a new link")

    def token(self, *subject) -> str:
        return make_token(purpose=self.purpose, value=self.sign(*subject))

    def url(
        self,
        *subject,
        request: HttpRequest | None = None,
        base_url: str | None = None,
        url_name: str = "",
    ) -> str:
        """The absolute link for an email (``url_name``: another page that takes
        the same token)."""
        path = reverse(url_name or self.url_name, args=[self.token(*subject)])
        return portal_url(path, request=request, base_url=base_url)

    def open(self, token: str):
        """What the link points at; ``signing.BadSignature`` (``SignatureExpired``
        when too old) or ``LinkUnusable`` when it cannot be used."""
        value = read_token(
            purpose=self.purpose,
            token=token,
            max_age_seconds=getattr(settings, self.max_age_setting) * DAY,
        )
        try:
            return self.load(value)
        except (ObjectDoesNotExist, KeyError, TypeError, ValueError) as error:
            # Authentic but pointing at nothing (a deleted row) or not in the
            # shape this purpose signs.
            raise signing.BadSignature(f"Unusable {self.purpose} token") from error


def link_problem(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    status: int,
    action_url: str = "",
    action_label: str = "",
) -> HttpResponse:
    """The one page for an emailed link that cannot be used."""
    return render(
        request,
        "lmsa_portal/link_problem.html",
        {
            "title": title,
            "message": message,
            "action_url": action_url,
            "action_label": action_label,
        },
        status=status,
    )


def _refusal(request: HttpRequest, link: SignedLink, *, expired: bool):
    return link_problem(
        request,
        title=_("This link has expired") if expired else _("This link is not valid"),
        message=_(
            "For your security, the links we email work for a limited time and "
            "only exactly as we sent them: copy the whole link from the email, "
            "or ask for a new one."
        ),
        status=HTTPStatus.BAD_REQUEST,
        action_url=reverse(link.renew_url_name) if link.renew_url_name else "",
        action_label=link.renew_label,
    )


def signed_link_view(link: SignedLink):
    """Decorate the view of a page an emailed link opens (URL argument ``token``):
    the view is called as ``view(request, subject, token=token)`` with what the
    link points at. Expired or not valid: 400; ``LinkUnusable``: its status.
    Never cached, refusals included: the page is personal."""

    def decorator(view_func):
        @never_cache
        @wraps(view_func)
        def wrapper(request: HttpRequest, token: str, **kwargs) -> HttpResponse:
            try:
                subject = link.open(token)
            except LinkUnusable as unusable:
                action_url = unusable.action_url_name
                return link_problem(
                    request,
                    title=unusable.title,
                    message=unusable.message,
                    status=unusable.status,
                    action_url=reverse(action_url) if action_url else "",
                    action_label=unusable.action_label,
                )
            except signing.SignatureExpired:
                return _refusal(request, link, expired=True)
            except signing.BadSignature:
                return _refusal(request, link, expired=False)
            return view_func(request, subject, token=token, **kwargs)

        wrapper.signed_link = link
        return wrapper

    return decorator
