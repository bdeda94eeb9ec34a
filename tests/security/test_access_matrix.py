"""Every URL pattern of the project, for every state of the access rule.

The patterns come from ``get_resolver()`` (see ``conftest.py``), not from a list
kept by hand: a new page is in this matrix the day it is added, and a new page with
parameters fails until it has a provider. Each response is also searched for the
seeded mentor's and advisor's email and phone: only active members and staff may
ever see them.
"""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from tests.security.conftest import (
    ADVISOR_EMAIL,
    MENTOR_EMAIL,
    NOT_ACTIVE_STATES,
    PROVIDERS,
    STATES,
    TOKEN_ROUTES,
    leaked_contacts,
    response_body,
    routes_by_key,
    url_for,
)

# ------------------------------------------------------------------------------
# Every non-admin page is classified here by hand. The marker the access mixin
# sets (``members_only``) is checked against MEMBERS_ONLY, never trusted in its
# place: a new page is in none of these sets until someone decides who may open
# it, and a page listed as members-only that lost its mixin fails.
# ------------------------------------------------------------------------------
# Pages only active members (and staff) may open: active_member_required /
# ActiveMemberRequiredMixin.
MEMBERS_ONLY = {
    "mentors:directory",
    "mentors:detail",
    "mentors:ask",
    "mentors:saved-search-save",
    "residency_hub:program-list",
    "residency_hub:program-detail",
    "residency_hub:specialty-detail",
    "residency_hub:calendar",
    "residency_hub:event-detail",
    "residency_hub:event-ics",
    "residency_hub:feed-token-rotate",
    "ama:question-create",
    "ama:question-vote",
    "ama:announcements-toggle",
}
# Pages that need a signed-in person but not an active membership.
LOGIN_REQUIRED = {
    "members:me",
    "members:export",
    "members:delete",
    "residency_hub:feed-token-revoke",
    "listserv:member-subscribe",
    "mentors:request-withdraw",
    "mentors:saved-search-delete",
    "mentors:saved-search-alerts",
    # allauth's own account and two-factor pages
    "account_reauthenticate",
    "account_email",
    "account_change_password",
    "account_set_password",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}
# Pages opened with a signed link or token only its owner has.
SIGNED_LINK = {
    "mentors:manage",
    "mentors:manage-pause",
    "mentors:manage-remove",
    "mentors:still-mentoring",
    "mentors:email-confirm",
    "mentors:request-answer",
    "mentors:request-followup",
    "mentors:saved-search-unsubscribe",
    "residency_hub:calendar-feed",
    "residency_hub:coordinator-edit",
    "residency_hub:coordinator-confirm",
    "listserv:confirm",
    "listserv:unsubscribe",
    "listserv:preferences",
    "account_confirm_email",
    "account_reset_password_from_key",
}
# Pages anyone may open.
PUBLIC = {
    "home",
    "plus-network",
    "healthz",
    "favicon",
    "set-language",
    "mentors:join",
    "mentors:thanks",
    "mentors:share",
    "mentors:request-link",
    "residency_hub:submit",
    "residency_hub:submit-done",
    "residency_hub:coordinator-request-link",
    "ama:archive",
    "ama:feed",
    "ama:upcoming-feed",
    "ama:upcoming-detail",
    "ama:upcoming-ics",
    "ama:video-detail",
    "listserv:signup",
    "listserv:signup-done",
    # Public mailings to everyone; members-only ones follow the access rule
    # inside (tests/listserv/test_archive.py checks every state).
    "listserv:archive",
    "listserv:archive-detail",
    # allauth's sign-in, sign-up and reset pages
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_confirm_login_code",
    "account_reset_password_from_key_done",
    "account_reset_password_done",
    "mfa_authenticate",
}
# Not pages: the email provider's bounce and complaint webhooks (POST with the
# shared secret only). Refused (403) while no ANYMAIL["WEBHOOK_SECRET"] is set,
# 4xx without it; never a page, never a 2xx to a browser.
WEBHOOKS = {
    "listserv:webhook-amazon-ses",
    "listserv:webhook-brevo",
    "listserv:webhook-mailgun",
    "listserv:webhook-mailjet",
    "listserv:webhook-postmark",
    "listserv:webhook-sendgrid",
    "listserv:webhook-sparkpost",
}
ACCESS_CLASSES = {
    "WEBHOOKS": WEBHOOKS,
    "MEMBERS_ONLY": MEMBERS_ONLY,
    "LOGIN_REQUIRED": LOGIN_REQUIRED,
    "SIGNED_LINK": SIGNED_LINK,
    "PUBLIC": PUBLIC,
}
# Pages opened with the data owner's own signed link: the mentor's self-service
# page shows the mentor their own listing, whoever is signed in; a program
# coordinator's edit page shows their program's advisor contacts.
OWNER_LINK_PAGES = {"mentors:manage", "residency_hub:coordinator-edit"}

LOGIN_PATH = reverse("account_login")
ADMIN_LOGIN_PATH = "/admin/login/"


def is_redirect_to(response, path: str) -> bool:
    return response.status_code in (
        HTTPStatus.FOUND,
        HTTPStatus.MOVED_PERMANENTLY,
    ) and response["Location"].startswith(path)


def is_normal_outcome(response) -> bool:
    """A page, its normal redirect (not to login), or "use POST"."""
    if response.status_code in (HTTPStatus.OK, HTTPStatus.METHOD_NOT_ALLOWED):
        return True
    return response.status_code == HTTPStatus.FOUND and not is_redirect_to(
        response, LOGIN_PATH
    )


def expectation_problem(route, state: str, response) -> str | None:
    """What is wrong with ``response`` for ``state`` on ``route`` (None: fine)."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if route.is_admin:
        if state == "staff":
            # A superuser with TOTP. 403/404/405 only where the admin itself
            # refuses by design: read-only admins, POST-only import steps,
            # missing parameters (autocomplete), the catch-all.
            if is_redirect_to(response, ADMIN_LOGIN_PATH) or is_redirect_to(
                response, LOGIN_PATH
            ):
                return "staff with TOTP sent to login"
            if route.key in ("admin:index", "admin:app_list") or route.key.endswith(
                "_changelist"
            ):
                return None if status == HTTPStatus.OK else f"got {status}, not 200"
            return None
        if is_redirect_to(response, ADMIN_LOGIN_PATH) or is_redirect_to(
            response, LOGIN_PATH
        ):
            return None
        if status == HTTPStatus.FORBIDDEN and state != "anonymous":
            return None
        if route.key == "admin:logout" and is_redirect_to(response, "/admin/"):
            return None  # sends non-staff to the admin login
        return f"non-staff got {status} from the admin"
    if route.is_allauth:
        return None  # reachable, never a server error (checked above)
    if route.key in WEBHOOKS:
        return None if 400 <= status < 500 else f"webhook answered {status}"
    if route.key in MEMBERS_ONLY:
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            return None
        if state == "anonymous":
            return None if is_redirect_to(response, LOGIN_PATH) else "no login redirect"
        if state in NOT_ACTIVE_STATES:
            if status != HTTPStatus.FORBIDDEN:
                return f"expected the not-active page (403), got {status}"
            assertTemplateUsed(response, "members/not_active.html")
            return None
        return None if is_normal_outcome(response) else f"active/staff got {status}"
    if route.key in LOGIN_REQUIRED:
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            return None
        if state == "anonymous":
            return None if is_redirect_to(response, LOGIN_PATH) else "no login redirect"
        return None if is_normal_outcome(response) else f"signed-in got {status}"
    # Public pages.
    return None if is_normal_outcome(response) else f"public page answered {status}"


def client_for(world, state: str) -> Client:
    client = Client()
    if state != "anonymous":
        client.force_login(world.users[state])
    return client


def test_every_url_for_every_state(url_group, world):
    routes = routes_by_key()
    clients = {state: client_for(world, state) for state in STATES}
    problems = []
    for key in url_group:
        route = routes[key]
        url = url_for(route, world)
        for state, client in clients.items():
            response = client.get(url)
            problem = expectation_problem(route, state, response)
            if problem:
                problems.append(f"{url} {state}: {problem}")
            if state not in ("active", "staff") and key not in OWNER_LINK_PAGES:
                leaked = leaked_contacts(response_body(response))
                if leaked:
                    problems.append(f"{url} {state}: contact details shown: {leaked}")
    assert not problems, "\n".join(problems)


def test_members_only_pages_show_contacts_to_active_members(world):
    """The leak probe itself works: the same details do appear where allowed."""
    for name, args in [
        ("mentors:directory", []),
        ("mentors:detail", [world.mentor.pk]),
        ("residency_hub:program-detail", [world.program.slug]),
    ]:
        body = response_body(client_for(world, "active").get(reverse(name, args=args)))
        assert leaked_contacts(body), name


def test_every_parameter_has_a_provider():
    """A page with parameters and no provider fails the matrix (listed here too)."""
    missing = [
        route.key
        for route in routes_by_key().values()
        if (route.parameters or route.positional)
        and not route.is_admin
        and route.key not in PROVIDERS
    ]
    assert not missing, "add a provider for " + ", ".join(missing)


def test_every_page_is_classified_exactly_once():
    """Adding a page forces a decision: it fails here until it is in one set."""
    routes = [route for route in routes_by_key().values() if not route.is_admin]
    unclassified = [
        route.key
        for route in routes
        if not any(route.key in keys for keys in ACCESS_CLASSES.values())
    ]
    assert not unclassified, (
        "classify these pages in MEMBERS_ONLY, LOGIN_REQUIRED, SIGNED_LINK, "
        "PUBLIC or WEBHOOKS: " + ", ".join(sorted(unclassified))
    )
    twice = [
        route.key
        for route in routes
        if sum(route.key in keys for keys in ACCESS_CLASSES.values()) > 1
    ]
    assert not twice, "classified more than once: " + ", ".join(sorted(twice))
    keys = {route.key for route in routes}
    stale = sorted(set().union(*ACCESS_CLASSES.values()) - keys)
    assert not stale, "no such page any more: " + ", ".join(stale)


def test_members_only_pages_carry_the_access_mixin():
    """A page listed as members-only without active_member_required /
    ActiveMemberRequiredMixin fails; so does a marked page listed as anything else
    (the set and the code must agree)."""
    routes = routes_by_key()
    unmarked = sorted(key for key in MEMBERS_ONLY if not routes[key].members_only)
    assert not unmarked, "members-only pages without the access mixin: " + (
        ", ".join(unmarked)
    )
    marked = sorted(
        route.key
        for route in routes.values()
        if route.members_only and route.key not in MEMBERS_ONLY
    )
    assert not marked, "carry the members_only marker but are not in MEMBERS_ONLY: " + (
        ", ".join(marked)
    )


# What a POST to a members-only page would send if it were let through: enough
# for the page to change something (see the positive control below).
POST_DATA = {
    "ama:question-create": {"text": "Would this question be saved without access?"},
    "ama:question-vote": {"action": "vote"},
    "mentors:saved-search-save": {"name": "Matrix search", "query": "state=PR"},
}
# Members-only pages whose POST changes data for an active member.
POST_CHANGES = {
    "mentors:saved-search-save",
    "ama:question-create",
    "ama:question-vote",
    "residency_hub:feed-token-rotate",
}
PROJECT_APPS = ("members", "mentors", "residency_hub", "ama", "listserv")


def data_snapshot() -> dict:
    """Every row of the project's own apps (the seeded world is small)."""
    from django.apps import apps as django_apps

    snapshot = {}
    for label in PROJECT_APPS:
        for model in django_apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values()
            snapshot[model._meta.label] = [
                {k: v for k, v in row.items() if k != "last_login"} for row in rows
            ]
    return snapshot


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@pytest.mark.parametrize("key", sorted(MEMBERS_ONLY))
def test_members_only_pages_refuse_posts_from_visitors_and_inactive_members(key, world):
    """Anonymous POST: login redirect (or 403/405), never a 2xx; a signed-in but
    not active member's POST: 403 (405 where the page takes GET only). Neither
    changes a row."""
    route = routes_by_key()[key]
    url = url_for(route, world)
    data = POST_DATA.get(key, {})
    problems = []
    for state in ["anonymous", *NOT_ACTIVE_STATES]:
        client = client_for(world, state)
        before = data_snapshot()
        response = client.post(url, data)
        status = response.status_code
        changed = changed_tables(before, data_snapshot())
        if changed:
            problems.append(f"{state}: POST changed {changed} (status {status})")
        if state == "anonymous":
            allowed = is_redirect_to(response, LOGIN_PATH) or status in (
                HTTPStatus.FORBIDDEN,
                HTTPStatus.METHOD_NOT_ALLOWED,
            )
        else:
            allowed = status in (HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED)
        if not allowed:
            problems.append(f"{state}: POST answered {status}")
    assert not problems, f"{url}\n" + "\n".join(problems)


@pytest.mark.parametrize("key", sorted(POST_CHANGES))
def test_the_refused_posts_would_change_data(key, world):
    """Positive control: the same POST from staff does change a row, so the test
    above would see a POST that got through."""
    route = routes_by_key()[key]
    before = data_snapshot()
    response = client_for(world, "staff").post(
        url_for(route, world), POST_DATA.get(key, {})
    )
    assert response.status_code < 500
    assert changed_tables(before, data_snapshot()), key


# ------------------------------------------------------------------------------
# Object-level checks
# ------------------------------------------------------------------------------
def tampered(token: str) -> list[str]:
    """Variants of a signed token: last character changed, payload swapped,
    signature cut off, junk."""
    payload, _, rest = token.partition(":")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return [
        flipped,
        "eyJtZW50b3IiOjJ9:" + rest,  # {"mentor":2} with the old signature
        "eyJzIjoxfQ:" + rest,  # {"s":1}
        payload,
        "x" * 300,
        "..:..",
    ]


@pytest.mark.parametrize("name", TOKEN_ROUTES)
def test_tampered_tokens_get_a_clear_refusal_and_no_data(name, world, client):
    _args, kwargs = PROVIDERS[name](world)
    for token in tampered(kwargs["token"]):
        for method in (client.get, client.post):
            response = method(reverse(name, kwargs={"token": token}))
            assert response.status_code in (
                HTTPStatus.BAD_REQUEST,
                HTTPStatus.NOT_FOUND,
            ), (name, token, response.status_code)
            body = response_body(response).decode()
            assert not leaked_contacts(response_body(response))
            assert world.subscriber.email not in body
            assert world.other_mentor.email not in body


def test_a_mentor_link_opens_only_its_own_listing(world, client):
    mentor, other = world.mentor, world.other_mentor
    response = client.get(reverse("mentors:manage", args=[world.mentor_manage_token]))
    body = response.content.decode()
    assert MENTOR_EMAIL in body and other.email not in body

    # Edits through A's link change A, never B.
    other_before = (other.city, other.bio, other.email)
    form = response.context["form"]
    data = {
        key: value
        for key, value in form.initial.items()
        if value not in (None, "") and not isinstance(value, list | tuple)
    }
    data.update(
        city="Matrixville",
        languages=[lang.pk for lang in mentor.languages.all()],
        mentee_levels=form.initial.get("mentee_levels") or ["medical_student"],
        modes=form.initial.get("modes") or ["virtual"],
        consent_to_share="on",
        specialty=mentor.specialty_id,
    )
    client.post(reverse("mentors:manage", args=[world.mentor_manage_token]), data)
    other.refresh_from_db()
    assert (other.city, other.bio, other.email) == other_before

    # B's still-mentoring link (another purpose) does not open B's manage page.
    from lmsa_portal.signing import make_token
    from mentors import services

    still = make_token(
        purpose=services.STILL_MENTORING_LINK.purpose, value={"mentor": other.pk}
    )
    response = client.get(reverse("mentors:manage", args=[still]))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert other.email not in response.content.decode()


def test_a_subscriber_link_opens_only_its_own_preferences(world, client):
    from listserv.models import Subscriber
    from listserv.services import CONFIRM_LINK

    mine, other = world.subscriber, world.pending_subscriber
    response = client.get(reverse("listserv:preferences", args=[world.manage_token]))
    assert response.status_code == HTTPStatus.OK
    assert response.context["subscriber"] == mine
    assert other.email[1:] not in response.content.decode()

    # The other subscriber's confirmation link is for another purpose.
    response = client.get(
        reverse("listserv:preferences", args=[CONFIRM_LINK.token(other)])
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST

    client.post(reverse("listserv:unsubscribe", args=[world.manage_token]))
    assert Subscriber.objects.get(pk=mine.pk).status == "unsubscribed"
    assert Subscriber.objects.get(pk=other.pk).status == other.status


def feed(client, world, token: str):
    return client.get(
        reverse("residency_hub:calendar-feed", args=[world.specialty.slug]),
        {"token": token},
    )


def test_calendar_feed_token_stops_when_its_member_expires(world, client):
    token = world.feed_token.token
    response = feed(client, world, token)
    assert response.status_code == HTTPStatus.OK
    assert world.event.title in response_body(response).decode()

    from members.factories import set_membership

    member = world.users["active"]
    set_membership(member, expires_on=member.membership.expires_on.replace(year=2000))
    response = feed(client, world, token)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert world.event.title not in response_body(response).decode()


def test_calendar_feed_token_stops_when_revoked_or_rotated(world, client):
    from residency_hub import services

    member = world.users["active"]
    old = world.feed_token.token
    new = services.feed_token_rotate(user=member).token
    assert feed(client, world, old).status_code == HTTPStatus.NOT_FOUND
    assert feed(client, world, new).status_code == HTTPStatus.OK
    services.feed_token_revoke(user=member)
    response = feed(client, world, new)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert world.event.title not in response_body(response).decode()


def test_calendar_feed_refuses_guessed_and_other_tokens(world, client):
    from residency_hub.models import CalendarFeedToken

    pending = CalendarFeedToken.objects.create(user=world.users["pending"])
    for token in [pending.token, "", "x" * 65, world.feed_token.token[:-1], "' OR 1=1"]:
        response = feed(client, world, token)
        assert response.status_code == HTTPStatus.NOT_FOUND, token
        assert world.event.title not in response_body(response).decode()


def test_an_advisor_contact_is_in_the_members_program_page_only(world):
    url = reverse("residency_hub:program-detail", args=[world.program.slug])
    for state in STATES:
        body = response_body(client_for(world, state).get(url)).decode()
        assert (ADVISOR_EMAIL in body) == (state in ("active", "staff")), state
