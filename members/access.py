"""Who may see what: the one access rule of the portal.

An **active member** has a verified email address and an approved membership that
has not expired; staff always count as active. Every members-only view uses
``active_member_required`` / ``ActiveMemberRequiredMixin`` and every members-only
queryset calls ``is_active_member``.
"""

import enum
from functools import wraps
from http import HTTPStatus

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class MemberState(enum.StrEnum):
    ANONYMOUS = "anonymous"
    UNVERIFIED = "unverified"
    PENDING = "pending"
    DECLINED = "declined"
    EXPIRED = "expired"
    ACTIVE = "active"
    STAFF = "staff"


def member_state(user) -> MemberState:
    """Where ``user`` stands against the access rule (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return MemberState.ANONYMOUS
    cached = getattr(user, "_member_state", None)
    if cached is not None:
        return cached
    state = _compute_member_state(user)
    user._member_state = state
    return state


def with_member_state(users):
    """``users`` with what the access rule reads loaded in the same query: the
    membership and whether the login address is verified."""
    return users.select_related("membership").annotate(
        _email_verified=Exists(
            EmailAddress.objects.filter(
                user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
            )
        )
    )


def _compute_member_state(user) -> MemberState:
    from members.models import Membership

    if not user.is_active:
        return MemberState.ANONYMOUS
    if user.is_staff:
        return MemberState.STAFF
    if not hasattr(user, "_email_verified"):
        # Not loaded with the user: one query for both, kept on the user (pages
        # read request.user.membership next).
        loaded = with_member_state(get_user_model()._default_manager.filter(pk=user.pk))
        loaded = loaded.first()
        user._email_verified = bool(loaded and loaded._email_verified)
        Membership.user.field.remote_field.set_cached_value(
            user, getattr(loaded, "membership", None)
        )
    membership = getattr(user, "membership", None)
    if not user._email_verified:
        return MemberState.UNVERIFIED
    if membership is not None and membership.is_approved_and_current:
        return MemberState.ACTIVE
    # Not active: say why.
    if membership is None or membership.status == Membership.Status.PENDING:
        return MemberState.PENDING
    if membership.status == Membership.Status.DECLINED:
        return MemberState.DECLINED
    return MemberState.EXPIRED


def is_active_member(user) -> bool:
    """True for verified, approved, unexpired members and for staff."""
    return member_state(user) in (MemberState.ACTIVE, MemberState.STAFF)


def forget_member_state(user) -> None:
    """Drop the cached state (and what it was computed from) after something
    changed it within one request."""
    for name in ("_member_state", "_email_verified"):
        if hasattr(user, name):
            delattr(user, name)


def not_active_response(request: HttpRequest) -> HttpResponse:
    """The page a signed-in but not active user sees instead of members-only content."""
    state = member_state(request.user)
    membership = getattr(request.user, "membership", None)
    response = render(
        request,
        "members/not_active.html",
        {
            "state": state.value,
            "membership": membership,
            "contact_email": settings.MEMBERSHIP_CONTACT_EMAIL,
        },
        status=HTTPStatus.FORBIDDEN,
    )
    add_never_cache_headers(response)
    return response


def active_member_required(view_func):
    """Let active members in; send anonymous users to login; explain to the rest."""

    @wraps(view_func)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_active_member(request.user):
            return not_active_response(request)
        response = view_func(request, *args, **kwargs)
        # Members-only pages carry personal data: never stored by browsers or proxies.
        add_never_cache_headers(response)
        return response

    # The access-matrix test reads this to know what to expect of the view.
    wrapper.members_only = True
    return wrapper


class ActiveMemberRequiredMixin:
    """Class-based-view form of ``active_member_required``."""

    members_only = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_active_member(request.user):
            return not_active_response(request)
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response
