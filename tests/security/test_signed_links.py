"""The one way an emailed link is opened (``lmsa_portal.signing``): every page
behind a signed link goes through ``signed_link_view``, and a link that is
tampered with, expired, for another purpose or pointing at nothing gets the one
error page with a clear message and a 4xx, never a 500."""

from http import HTTPStatus

import pytest
from django.core import signing
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

from lmsa_portal.signing import make_token
from tests.security.conftest import PROVIDERS, all_routes, signed_link_routes

ROUTES = signed_link_routes()


def test_every_page_with_a_token_in_its_path_uses_the_one_decorator():
    with_token = {route.key for route in all_routes() if "token" in route.parameters}
    assert {"mentors:manage", "listserv:unsubscribe"} <= with_token
    assert set(ROUTES) == with_token
    assert set(ROUTES) <= set(PROVIDERS)  # each has a token in the access matrix


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_link_expires_after_a_declared_setting(name, settings):
    days = getattr(settings, ROUTES[name].max_age_setting)
    assert isinstance(days, int) and days > 0


def _token(world, name: str) -> str:
    return PROVIDERS[name](world)[1]["token"]


def _refused(response, status: int, text: str) -> None:
    assertContains(response, text, status_code=status)
    assertTemplateUsed(response, "lmsa_portal/link_problem.html")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_tampered_link_gets_the_error_page(name, world, client):
    token = _token(world, name)
    payload, _, signature = token.rpartition(":")
    tampered = f"{payload}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    for method in (client.get, client.post):
        response = method(reverse(name, kwargs={"token": tampered}))
        _refused(response, HTTPStatus.BAD_REQUEST, "This link is not valid")


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_expired_link_gets_the_error_page_and_a_way_to_a_new_one(
    name, world, client, settings
):
    token = _token(world, name)
    link = ROUTES[name]
    setattr(settings, link.max_age_setting, -1)  # every token is too old
    response = client.get(reverse(name, kwargs={"token": token}))
    _refused(response, HTTPStatus.BAD_REQUEST, "This link has expired")
    assertContains(
        response, reverse(link.renew_url_name), status_code=HTTPStatus.BAD_REQUEST
    )


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_link_for_another_purpose_gets_the_error_page(name, world, client):
    other = next(
        other
        for other in sorted(ROUTES)
        if ROUTES[other].purpose != ROUTES[name].purpose
    )
    response = client.get(reverse(name, kwargs={"token": _token(world, other)}))
    _refused(response, HTTPStatus.BAD_REQUEST, "This link is not valid")


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize(
    "value",
    ["text", 7, [1, 2], {}, {"mentor": "x", "c": "x", "s": "x", "answer": "x"}],
    ids=["text", "number", "list", "empty", "wrong-types"],
)
def test_an_authentic_link_of_the_wrong_shape_is_not_a_500(name, value, db, client):
    """Only our code signs, but a value of another shape (an older release, a
    bug) still gets the error page."""
    token = make_token(purpose=ROUTES[name].purpose, value=value)
    response = client.get(reverse(name, kwargs={"token": token}))
    _refused(response, HTTPStatus.BAD_REQUEST, "This link is not valid")


def test_a_link_to_a_deleted_row_gets_the_error_page(world, client):
    from mentors.models import Mentor

    token = world.mentor_manage_token
    Mentor.objects.filter(pk=world.mentor.pk).delete()
    response = client.get(reverse("mentors:manage", args=[token]))
    _refused(response, HTTPStatus.BAD_REQUEST, "This link is not valid")


def test_a_spent_link_says_why_with_its_own_status(world, client):
    from mentors import services

    services.mentor_remove(mentor=world.mentor)
    response = client.get(reverse("mentors:manage", args=[world.mentor_manage_token]))
    _refused(response, HTTPStatus.GONE, "This listing was removed")
    assertContains(response, reverse("mentors:join"), status_code=HTTPStatus.GONE)


def test_the_error_page_speaks_spanish(world, client):
    token = world.mentor_manage_token + "x"
    response = client.get(
        reverse("mentors:manage", args=[token]), HTTP_ACCEPT_LANGUAGE="es"
    )
    _refused(response, HTTPStatus.BAD_REQUEST, "Este enlace no es válido")


def _old_style(purpose: str, value) -> str:
    """A token exactly as the releases before SignedLink made it."""
    return signing.dumps(value, salt=f"lmsa:{purpose}", compress=True)


def test_links_already_in_inboxes_still_open(world):
    """Salts and value shapes are what earlier releases signed."""
    from listserv import services as listserv
    from mentors import services as mentors
    from residency_hub import services as hub

    mentor, coordinator = world.mentor, world.coordinator
    subscriber = world.subscriber
    bound = {"c": coordinator.pk, "a": hub.address_fingerprint(coordinator.email)}
    cases = [
        (mentors.MANAGE_LINK, "mentor-manage", {"mentor": mentor.pk}, mentor),
        (
            mentors.STILL_MENTORING_LINK,
            "mentor-still-mentoring",
            {"mentor": mentor.pk},
            mentor,
        ),
        (hub.COORDINATOR_LINK, "program-coordinator", bound, coordinator),
        (hub.STILL_ACCURATE_LINK, "program-still-accurate", bound, coordinator),
        (listserv.MANAGE_LINK, "listserv-manage", {"s": subscriber.pk}, subscriber),
        (
            listserv.CONFIRM_LINK,
            "listserv-confirm",
            {"s": subscriber.pk, "e": subscriber.email},  # before the fingerprint
            subscriber,
        ),
    ]
    for link, purpose, value, expected in cases:
        assert link.purpose == purpose
        assert link.open(_old_style(purpose, value)) == expected

    request = world.mentorship_request
    old = _old_style(
        "mentor-request-answer", {"request": request.pk, "answer": "decline"}
    )
    assert mentors.REQUEST_ANSWER_LINK.open(old) == (request, "decline")
