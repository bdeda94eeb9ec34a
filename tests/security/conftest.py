"""The project's URL map, walked from ``get_resolver()``, and a seeded world with
one object behind every URL parameter.

``pytest_generate_tests`` parametrises any test asking for ``url_name`` with every
pattern of the project, so a new page is tested the day it is added.
"""

import dataclasses
import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from listserv.services import CONFIRM_LINK, MANAGE_LINK
from members.factories import make_member
from mentors import services as mentor_services
from residency_hub.factories import SpecialtyFactory
from tests.factories import make_totp

STATES = [
    "anonymous",
    "unverified",
    "pending",
    "declined",
    "expired",
    "active",
    "staff",
]
NOT_ACTIVE_STATES = ["unverified", "pending", "declined", "expired"]

# Contact details seeded once and looked for in every response body.
MENTOR_EMAIL = "leak-probe.mentor.q7z@hospital.example"
MENTOR_PHONE = "(787) 914-2799"
ADVISOR_EMAIL = "leak-probe.advisor.k3x@program.example"
ADVISOR_PHONE = "+1 505 913 8846"


@dataclasses.dataclass(frozen=True)
class Route:
    """One URL pattern of the project."""

    key: str  # the namespaced name, or the route when the pattern has none
    name: str | None
    route: str
    callback: object
    parameters: tuple[str, ...]
    positional: int  # unnamed regex groups

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_allauth(self) -> bool:
        return self.route.startswith("accounts/")

    @property
    def members_only(self) -> bool:
        callback = self.callback
        view_class = getattr(callback, "view_class", None)
        return bool(
            getattr(callback, "members_only", False)
            or getattr(view_class, "members_only", False)
        )


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                inner or namespace,
            )
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = (
                f"{namespace}:{pattern.name}"
                if namespace and pattern.name
                else pattern.name
            )
            regex = pattern.pattern.regex
            yield Route(
                key=name or route,
                name=name,
                route=route,
                callback=pattern.callback,
                parameters=tuple(regex.groupindex),
                positional=regex.groups - len(regex.groupindex),
            )


def all_routes() -> list[Route]:
    """Every URL pattern of the project, including admin and allauth."""
    routes, seen = [], set()
    for route in _walk(get_resolver().url_patterns):
        if route.key not in seen:  # a name reached twice resolves to its first
            seen.add(route.key)
            routes.append(route)
    return routes


def routes_by_key() -> dict[str, Route]:
    return {route.key: route for route in all_routes()}


def signed_link_routes() -> dict[str, object]:
    """URL name -> the ``SignedLink`` its view consumes, for every page opened by
    an emailed link (``lmsa_portal.signing.signed_link_view``)."""
    return {
        route.key: route.callback.signed_link
        for route in all_routes()
        if hasattr(route.callback, "signed_link")
    }


TOKEN_ROUTES = sorted(signed_link_routes())


def route_groups() -> dict[str, list[str]]:
    """Route keys in test-sized groups: each page on its own, the admin's pages
    together per model (they share one seeded world)."""
    groups: dict[str, list[str]] = {}
    for route in all_routes():
        if route.is_admin:
            parts = route.route.split("/")
            group = "/".join(parts[:3]) + "/" if len(parts) > 3 else "admin/"
            group = group if "<" not in group and "(" not in group else "admin/"
        else:
            group = route.key
        groups.setdefault(group, []).append(route.key)
    return groups


def pytest_generate_tests(metafunc):
    if "url_group" in metafunc.fixturenames:
        groups = route_groups()
        metafunc.parametrize(
            "url_group", list(groups.values()), ids=list(groups.keys())
        )


# ------------------------------------------------------------------------------
# The seeded world
# ------------------------------------------------------------------------------
@dataclasses.dataclass
class World:
    users: dict
    objects: dict

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError as error:
            raise AttributeError(name) from error


def _path_token(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def _mentor_email_token(mentor) -> str:
    """The link of an email change the mentor asked for (to a new address)."""
    from urllib.parse import urlsplit

    mentor.pending_email = "new.address@mentor.example"
    mentor.save(update_fields=["pending_email"])
    url = mentor_services.EMAIL_CHANGE_LINK.url(mentor)
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def build_world() -> World:
    """One object of every kind a URL parameter can point at, plus a user in every
    state of the access rule (staff is a superuser with TOTP, so admin opens)."""
    from django_tasks_db.models import DBTaskResult

    from ama.factories import (
        ChapterFactory,
        PanelistFactory,
        QuestionFactory,
        QuestionVoteFactory,
        TopicFactory,
        UpcomingSessionFactory,
        VideoFactory,
    )
    from ama.models import Question, UpcomingSession
    from listserv.factories import MailingFactory, SubscriberFactory
    from listserv.models import Delivery, Interest, MailEvent, Subscriber
    from listserv.suppression import record_event
    from members.models import MembershipReminder, RosterEntry
    from mentors.factories import MentorFactory
    from mentors.models import Mentor
    from residency_hub import services as hub_services
    from residency_hub.factories import (
        AdvisorContactFactory,
        EventFactory,
        ProgramCoordinatorFactory,
        ProgramFactory,
        ProgramSubmissionFactory,
    )
    from residency_hub.models import CalendarFeedToken

    users = {state: make_member(state=state) for state in STATES[1:-1]}
    users["staff"] = make_member(state="staff", is_superuser=True)
    make_totp(users["staff"])

    specialty = SpecialtyFactory(name="Matrix Medicine", slug="matrix-medicine")
    mentor = MentorFactory(
        specialty=specialty,
        email=MENTOR_EMAIL,
        phone=MENTOR_PHONE,
        first_name="Probe",
        last_name="Mentor",
    )
    other_mentor = MentorFactory(specialty=specialty)
    program = ProgramFactory(specialty=specialty, slug="matrix-program")
    contact = AdvisorContactFactory(
        program=program, email=ADVISOR_EMAIL, phone=ADVISOR_PHONE
    )
    event = EventFactory(specialty=specialty, program=program)
    coordinator = ProgramCoordinatorFactory(program=program)
    topic = TopicFactory(slug="matrix-topic")
    video = VideoFactory(slug="matrix-video", specialty=specialty, topics=[topic])
    ChapterFactory(video=video)
    PanelistFactory(video=video)
    session = UpcomingSessionFactory()
    assert session.accepts_questions
    question = QuestionFactory(session=session, status=Question.Status.APPROVED)
    QuestionVoteFactory(question=question, user=users["active"])
    pending_subscriber = SubscriberFactory(
        status=Subscriber.Status.UNCONFIRMED, confirmed_at=None
    )
    subscriber = SubscriberFactory()
    subscriber.interests.set(Interest.objects.all()[:1])
    mailing = MailingFactory()
    # A mailing that went out, readable by everyone in the archive.
    archived_mailing = MailingFactory(
        status="sent", archive="public", started_at=timezone.now()
    )
    submission = ProgramSubmissionFactory(specialty=specialty)
    feed_token = CalendarFeedToken.objects.create(user=users["active"])
    group = Group.objects.create(name="Matrix curators")
    from mentors.models import MentorshipRequest

    mentorship_request = MentorshipRequest.objects.create(
        mentor=other_mentor,
        member=users["active"],
        about_me="Matrix student",
        hopes="Matrix hopes",
    )
    from mentors.models import SavedSearch

    saved_search = SavedSearch.objects.create(
        member=users["active"], name="Matrix search", query="specialty=matrix-medicine"
    )
    # Rows some admin pages list, so each of its object pages opens.
    MentorFactory(status=Mentor.Status.PENDING, decided_at=None, confirmed_at=None)
    Delivery.objects.create(mailing=mailing, subscriber=subscriber)
    record_event(
        email="bounced.matrix@example.org",
        kind=MailEvent.Kind.HARD_BOUNCE,
        source="Postmark",
        event_id="matrix-1",
        description="smtp;550 5.1.1 The email account does not exist",
    )
    RosterEntry.objects.create(email="roster.matrix@example.org")
    MembershipReminder.objects.create(
        membership=users["expired"].membership,
        kind=MembershipReminder.Kind.choices[0][0],
        expires_on=users["expired"].membership.expires_on,
    )
    # A queued mailing task as production's database backend stores it.
    DBTaskResult.objects.create(
        enqueued_at=timezone.now(),
        run_after=timezone.now(),
        args_kwargs={"args": [mailing.pk], "kwargs": {}},
        task_path="listserv.tasks.send_mailing",
        backend_name="database",
        exception_class_path="",
        traceback="",
    )

    address = EmailAddress.objects.get(user=users["unverified"])
    objects = {
        "specialty": specialty,
        "mentor": mentor,
        "other_mentor": other_mentor,
        "program": program,
        "contact": contact,
        "event": event,
        "video": video,
        "session": session,
        "question": question,
        "pending_subscriber": pending_subscriber,
        "subscriber": subscriber,
        "mailing": mailing,
        "archived_mailing": archived_mailing,
        "submission": submission,
        "feed_token": feed_token,
        "group": group,
        "mentor_manage_token": mentor_services.MANAGE_LINK.token(mentor),
        "mentor_still_token": mentor_services.STILL_MENTORING_LINK.token(mentor),
        "mentor_email_token": _mentor_email_token(mentor),
        "mentorship_request": mentorship_request,
        "saved_search": saved_search,
        "saved_search_token": _path_token(
            mentor_services.saved_search_unsubscribe_url(saved_search=saved_search)
        ),
        "request_answer_token": _path_token(
            mentor_services.request_answer_url(
                mentorship_request=mentorship_request, answer="decline"
            )
        ),
        "coordinator": coordinator,
        "coordinator_token": hub_services.COORDINATOR_LINK.token(coordinator),
        "still_accurate_token": hub_services.STILL_ACCURATE_LINK.token(coordinator),
        "confirm_token": CONFIRM_LINK.token(pending_subscriber),
        "manage_token": MANAGE_LINK.token(subscriber.pk),
        "request_followup_token": _path_token(
            mentor_services.request_followup_url(
                mentorship_request=mentorship_request, outcome="connected"
            )
        ),
        "email_confirmation_key": EmailConfirmationHMAC(address).key,
        "reset_uidb36": user_pk_to_url_str(users["active"]),
        "reset_key": default_token_generator.make_token(users["active"]),
    }
    assert Mentor.objects.filter(pk=mentor.pk, status="approved").exists()
    assert UpcomingSession.objects.filter(pk=session.pk).exists()
    return World(users=users, objects=objects)


@pytest.fixture
def world(db, settings):
    # Production's task backend next to the immediate one, so the admin of queued
    # tasks shows a row as it does in production.
    settings.TASKS = {
        **settings.TASKS,
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    return build_world()


# ------------------------------------------------------------------------------
# Concrete URLs: one provider per URL name with parameters
# ------------------------------------------------------------------------------
PROVIDERS = {
    "mentors:detail": lambda w: ((), {"pk": w.mentor.pk}),
    "mentors:manage": lambda w: ((), {"token": w.mentor_manage_token}),
    "mentors:manage-pause": lambda w: ((), {"token": w.mentor_manage_token}),
    "mentors:manage-remove": lambda w: ((), {"token": w.mentor_manage_token}),
    "mentors:still-mentoring": lambda w: ((), {"token": w.mentor_still_token}),
    "mentors:email-confirm": lambda w: ((), {"token": w.mentor_email_token}),
    "mentors:request-answer": lambda w: ((), {"token": w.request_answer_token}),
    "mentors:request-followup": lambda w: ((), {"token": w.request_followup_token}),
    "mentors:ask": lambda w: ((), {"pk": w.mentor.pk}),
    "mentors:request-withdraw": lambda w: ((), {"pk": w.mentorship_request.pk}),
    "mentors:saved-search-delete": lambda w: ((), {"pk": w.saved_search.pk}),
    "mentors:saved-search-alerts": lambda w: ((), {"pk": w.saved_search.pk}),
    "mentors:saved-search-unsubscribe": lambda w: (
        (),
        {"token": w.saved_search_token},
    ),
    "residency_hub:program-detail": lambda w: ((), {"slug": w.program.slug}),
    "residency_hub:specialty-detail": lambda w: ((), {"slug": w.specialty.slug}),
    "residency_hub:calendar": lambda w: ((), {"slug": w.specialty.slug}),
    "residency_hub:calendar-feed": lambda w: ((), {"slug": w.specialty.slug}),
    "residency_hub:event-detail": lambda w: ((), {"pk": w.event.pk}),
    "residency_hub:event-ics": lambda w: ((), {"pk": w.event.pk}),
    "residency_hub:coordinator-edit": lambda w: ((), {"token": w.coordinator_token}),
    "residency_hub:coordinator-confirm": lambda w: (
        (),
        {"token": w.still_accurate_token},
    ),
    "ama:upcoming-detail": lambda w: ((), {"pk": w.session.pk}),
    "ama:upcoming-ics": lambda w: ((), {"pk": w.session.pk}),
    "ama:question-create": lambda w: ((), {"pk": w.session.pk}),
    "ama:question-vote": lambda w: ((), {"pk": w.question.pk}),
    "ama:video-detail": lambda w: ((), {"slug": w.video.slug}),
    "listserv:confirm": lambda w: ((), {"token": w.confirm_token}),
    "listserv:unsubscribe": lambda w: ((), {"token": w.manage_token}),
    "listserv:preferences": lambda w: ((), {"token": w.manage_token}),
    "listserv:archive-detail": lambda w: ((), {"pk": w.archived_mailing.pk}),
    "account_confirm_email": lambda w: ((), {"key": w.email_confirmation_key}),
    "account_reset_password_from_key": lambda w: (
        (),
        {"uidb36": w.reset_uidb36, "key": w.reset_key},
    ),
}

# Query strings some URLs need to show their normal page.
QUERY = {
    "residency_hub:calendar-feed": lambda w: f"?token={w.feed_token.token}",
}


def _admin_model(route: Route):
    """The model behind an admin URL: its ModelAdmin, or the app/model segments."""
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    parts = route.route.split("/")
    if len(parts) > 3:
        try:
            return apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            return None
    return None


def _admin_row(model, world: World):
    """The first row the model's admin lists (proxy admins filter their model)."""
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return model._default_manager.order_by("pk").first()
    request = RequestFactory().get("/admin/")
    request.user = world.users["staff"]
    return model_admin.get_queryset(request).order_by("pk").first()


def _admin_arguments(route: Route, world: World):
    """Arguments of an admin URL, from the ModelAdmin behind it: a row its admin
    lists (the world seeds one of every kind the admin shows)."""
    model = _admin_model(route)
    row = _admin_row(model, world) if model is not None else None
    if route.parameters and model is not None and row is None:
        pytest.fail(f"seed a {model.__name__} in build_world() for {route.key}")
    object_id = str(row.pk) if row is not None else ""
    known = {
        "object_id": object_id,
        "pk": object_id,
        "id": object_id,
        "app_label": "members",
        "content_type_id": str(ContentType.objects.get_for_model(world.video).pk),
        "url": "no-such-admin-page/",
    }
    if route.key == "admin:view_on_site":
        known["object_id"] = str(world.video.pk)
    missing = [p for p in route.parameters if p not in known]
    if missing:
        pytest.fail(f"add a provider for {route.key} (parameters {missing})")
    kwargs = {p: known[p] for p in route.parameters}
    if route.positional:
        # simple_history's "<object_id>/history/<history_id>/": a row's record.
        record = model.history.order_by("history_id").first()
        if record is None:
            pytest.fail(f"seed a {model.__name__} with history for {route.key}")
        return (str(record.instance.pk), str(record.history_id)), {}
    return (), kwargs


def _fill_route(route: str, values: dict) -> str:
    """A route string with its parameters replaced (for unnamed patterns)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "")


def url_for(route: Route, world: World) -> str:
    """A concrete URL for ``route``; fails when a parameter has no provider."""
    if route.is_admin:
        args, kwargs = _admin_arguments(route, world)
    elif not route.parameters and not route.positional:
        args, kwargs = (), {}
    elif route.key in PROVIDERS:
        args, kwargs = PROVIDERS[route.key](world)
    else:
        pytest.fail(f"add a provider for {route.key} (parameters {route.parameters})")
    if route.name is None:
        path = _fill_route(route.route, kwargs)
    else:
        path = reverse(route.name, args=args or None, kwargs=kwargs or None)
    query = QUERY.get(route.key)
    return path + (query(world) if query else "")


def response_body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaked_contacts(body: bytes) -> list[str]:
    """Which seeded contact details appear in ``body`` (also as digits only)."""
    text = body.decode("utf-8", errors="replace")
    digits_only = "".join(ch for ch in text if ch.isdigit())
    found = [probe for probe in (MENTOR_EMAIL, ADVISOR_EMAIL) if probe in text]
    found += [probe for probe in (MENTOR_PHONE, ADVISOR_PHONE) if probe in text]
    for phone in (MENTOR_PHONE, ADVISOR_PHONE):
        digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
        if digits in digits_only:
            found.append(f"{phone} (digits)")
    for probe in (MENTOR_EMAIL, ADVISOR_EMAIL):
        local = probe.split("@")[0]
        if local in text:
            found.append(f"{local} (local part)")
    return sorted(set(found))
