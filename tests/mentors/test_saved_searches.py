"""Saved directory searches: saved from the directory through its filter form,
listed and deleted on the account page, a weekly email about new mentors (once a
week, active members only) with a one-click unsubscribe; export and erasure."""

import datetime
import re
import time
from http import HTTPStatus
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from members.factories import make_member, set_membership
from members.privacy import collect_user_data, delete_account
from mentors.factories import MentorFactory
from mentors.models import Mentor, SavedSearch
from mentors.services import saved_search_send_alerts, saved_search_unsubscribe_url
from residency_hub.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db

SAVE = reverse("mentors:saved-search-save")
# A Monday morning, and the week before it.
MONDAY = timezone.make_aware(datetime.datetime(2026, 12, 7, 8, 0))
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def pediatrics(db):
    return SpecialtyFactory(name="Pediatrics", slug="pediatrics")


def save(client, query: str, name: str = "Peds in Spanish"):
    return client.post(SAVE, {"name": name, "query": query})


def test_a_member_saves_the_directory_filters_and_sees_them_on_the_account_page(
    client, active_member, pediatrics
):
    client.force_login(active_member)
    directory = client.get(reverse("mentors:directory"), {"specialty": "pediatrics"})
    assertContains(directory, "Save this search")
    assertContains(directory, 'value="specialty=pediatrics"')  # the hidden query
    response = save(client, "page=3&language=es&specialty=pediatrics&q=")
    saved = SavedSearch.objects.get()
    # The filter form's order, what it reads; the page and empty values dropped.
    assert saved.query == "specialty=pediatrics&language=es"
    assert (saved.member, saved.name, saved.alerts) == (
        active_member,
        "Peds in Spanish",
        True,
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/mentors/?specialty=pediatrics&language=es"
    page = client.get(reverse("members:me"))
    assertContains(page, "Your saved mentor searches")
    assertContains(page, 'href="/mentors/?specialty=pediatrics&amp;language=es"')
    assertContains(page, reverse("mentors:saved-search-delete", args=[saved.pk]))
    assertContains(page, "Delete “Peds in Spanish”")
    # The link re-runs the search.
    rerun = client.get(saved.directory_url)
    assert rerun.context["filter"].form.cleaned_data["specialty"] == "pediatrics"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("specialty=no-such-specialty", "Specialty"),
        ("level=astronaut", "Open to"),
        ("colour=blue", "colour"),
        ("state=ZZ&language=es", "State or territory"),
    ],
)
def test_junk_filters_are_refused_with_a_clear_message(
    client, active_member, query, message
):
    client.force_login(active_member)
    response = save(client, query)
    assertContains(response, "Some filters were not understood", status_code=400)
    assertContains(response, message, status_code=400)
    assertContains(response, 'value="Peds in Spanish"', status_code=400)  # kept
    assert not SavedSearch.objects.exists()
    # The page opened with those filters says so before anything is posted.
    shown = client.get(SAVE + "?" + query)
    assertContains(shown, "These filters were not understood")


def test_a_name_is_required_and_the_same_filters_are_saved_once(
    client, active_member, pediatrics
):
    client.force_login(active_member)
    assertContains(
        save(client, "specialty=pediatrics", name=""),
        "This field is required",
        status_code=400,
    )
    save(client, "specialty=pediatrics")
    again = save(client, "specialty=pediatrics&page=2", name="Again")
    assertContains(
        again, "You already saved these filters as “Peds in Spanish”", status_code=400
    )
    assert SavedSearch.objects.count() == 1


def test_a_member_keeps_at_most_the_configured_number(
    client, active_member, pediatrics, settings
):
    settings.MENTOR_MAX_SAVED_SEARCHES = 2
    client.force_login(active_member)
    save(client, "specialty=pediatrics")
    save(client, "language=es")
    third = save(client, "state=PR")
    assertContains(third, "You have 2 saved searches", status_code=400)
    assert SavedSearch.objects.count() == 2
    # Another member's searches do not count toward hers.
    other = make_member(state="active")
    client.force_login(other)
    save(client, "state=PR")
    assert other.saved_searches.count() == 1


def test_only_active_members_save(client, pending_member):
    assert save(client, "state=PR")["Location"].startswith(reverse("account_login"))
    client.force_login(pending_member)
    assert save(client, "state=PR").status_code == HTTPStatus.FORBIDDEN
    assert not SavedSearch.objects.exists()


def test_delete_and_weekly_email_toggle_are_the_owners_posts_only(
    client, active_member
):
    saved = SavedSearch.objects.create(
        member=active_member, name="PR", query="state=PR"
    )
    delete = reverse("mentors:saved-search-delete", args=[saved.pk])
    toggle = reverse("mentors:saved-search-alerts", args=[saved.pk])
    intruder = make_member(state="active")
    client.force_login(intruder)
    assert client.post(delete).status_code == HTTPStatus.NOT_FOUND
    assert client.post(toggle, {"alerts": "off"}).status_code == HTTPStatus.NOT_FOUND
    client.force_login(active_member)
    assert client.get(delete).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    client.post(toggle, {"alerts": "off"})
    saved.refresh_from_db()
    assert saved.alerts is False
    assertContains(client.get(reverse("members:me")), "Email me about “PR”")
    client.post(toggle, {"alerts": "on"})
    saved.refresh_from_db()
    assert saved.alerts is True
    response = client.post(delete)
    assert response["Location"] == reverse("members:me")
    assert not SavedSearch.objects.exists()
    assertNotContains(client.get(reverse("members:me")), "Your saved mentor searches")
    # The delete form needs its CSRF token.
    saved = SavedSearch.objects.create(
        member=active_member, name="PR", query="state=PR"
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(active_member)
    url = reverse("mentors:saved-search-delete", args=[saved.pk])
    assert strict.post(url).status_code == HTTPStatus.FORBIDDEN
    assert SavedSearch.objects.filter(pk=saved.pk).exists()


# ------------------------------------------------------------------------------
# The weekly email
# ------------------------------------------------------------------------------
def searching(member, query: str, *, saved_on: datetime.datetime, **fields):
    saved = SavedSearch.objects.create(
        member=member, name="Peds", query=query, **fields
    )
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=saved_on)
    saved.refresh_from_db()
    return saved


def approved(on: datetime.datetime, **fields) -> Mentor:
    return MentorFactory(decided_at=on, **fields)


def unsubscribe_path(message) -> str:
    match = re.search(r"https?://\S+(/mentors/searches/unsubscribe/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_weekly_email_names_only_new_live_matching_mentors_once(
    active_member, pediatrics
):
    saved = searching(
        active_member, "specialty=pediatrics", saved_on=MONDAY - datetime.timedelta(3)
    )
    before = MONDAY - datetime.timedelta(days=5)
    after = MONDAY - datetime.timedelta(days=1)
    approved(after, specialty=pediatrics, last_name="Newpeds")
    approved(before, specialty=pediatrics, last_name="Oldpeds")
    approved(after, last_name="Othercare")  # another specialty
    approved(
        after,
        specialty=pediatrics,
        last_name="Pausedpeds",
        paused_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    approved(after, specialty=pediatrics, last_name="Pendingpeds", status="pending")

    result = saved_search_send_alerts(now=MONDAY)
    assert (result.checked, result.sent) == (1, 1)
    (alert,) = mail.outbox
    assert alert.to == [active_member.email]
    assert "New mentors for your saved search “Peds”" in alert.subject
    assert "1 new mentor matches your saved search “Peds”" in alert.body
    assert "Newpeds" in alert.body
    for absent in ("Oldpeds", "Othercare", "Pausedpeds", "Pendingpeds"):
        assert absent not in alert.body, absent
    assert "/mentors/?specialty=pediatrics" in alert.body
    path = unsubscribe_path(alert)
    assert alert.extra_headers["List-Unsubscribe"].endswith(f"{path}>")
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    saved.refresh_from_db()
    assert saved.last_checked_at == MONDAY

    # Again the same week (or the next day): nothing new is sent.
    approved(MONDAY + datetime.timedelta(hours=1), specialty=pediatrics)
    saved_search_send_alerts(now=MONDAY + datetime.timedelta(hours=2))
    saved_search_send_alerts(now=MONDAY + datetime.timedelta(days=2))
    assert len(mail.outbox) == 1

    # Next week: only the mentor approved since the last check.
    approved(
        MONDAY + datetime.timedelta(days=3), specialty=pediatrics, last_name="Next"
    )
    saved_search_send_alerts(now=MONDAY + WEEK)
    assert len(mail.outbox) == 2
    assert "2 new mentors match" in mail.outbox[1].body
    assert "Next" in mail.outbox[1].body and "Newpeds" not in mail.outbox[1].body


def test_a_week_with_no_new_mentor_sends_nothing_and_moves_on(
    active_member, pediatrics
):
    saved = searching(active_member, "specialty=pediatrics", saved_on=MONDAY - WEEK)
    result = saved_search_send_alerts(now=MONDAY)
    assert (result.checked, result.sent) == (1, 0)
    assert mail.outbox == []
    saved.refresh_from_db()
    assert saved.last_checked_at == MONDAY


def test_a_search_saved_this_week_waits_for_next_week(active_member, pediatrics):
    searching(
        active_member, "specialty=pediatrics", saved_on=MONDAY + datetime.timedelta(1)
    )
    approved(MONDAY + datetime.timedelta(days=2), specialty=pediatrics)
    saved_search_send_alerts(now=MONDAY + datetime.timedelta(days=3))
    assert mail.outbox == []
    saved_search_send_alerts(now=MONDAY + WEEK)
    assert len(mail.outbox) == 1


def test_only_active_members_get_alerts_and_a_lapsed_search_waits(pediatrics):
    lapsed = make_member(state="expired")
    pending = make_member(state="pending")
    for member in (lapsed, pending):
        searching(member, "specialty=pediatrics", saved_on=MONDAY - WEEK)
    approved(MONDAY - datetime.timedelta(days=2), specialty=pediatrics)
    result = saved_search_send_alerts(now=MONDAY)
    assert (result.checked, result.sent) == (0, 0)
    assert mail.outbox == []
    # Renewed: the mentors that arrived meanwhile are new to her.
    set_membership(lapsed, expires_on=timezone.localdate() + WEEK)
    saved_search_send_alerts(now=MONDAY + WEEK)
    assert [message.to for message in mail.outbox] == [[lapsed.email]]


def test_the_email_is_in_the_members_language(pediatrics):
    member = make_member(state="active", preferred_language="es")
    searching(member, "specialty=pediatrics", saved_on=MONDAY - WEEK)
    approved(MONDAY - datetime.timedelta(days=1), specialty=pediatrics)
    saved_search_send_alerts(now=MONDAY)
    (alert,) = mail.outbox
    assert "Nuevos mentores para tu búsqueda guardada «Peds»" in alert.subject
    assert "Para dejar de recibir este correo" in alert.body


def test_a_search_whose_filters_stopped_making_sense_sends_nothing(active_member):
    gone = SpecialtyFactory(slug="gone-specialty")
    searching(active_member, "specialty=gone-specialty", saved_on=MONDAY - WEEK)
    gone.delete()
    approved(MONDAY - datetime.timedelta(days=1))  # would match without the filter
    result = saved_search_send_alerts(now=MONDAY)
    assert (result.checked, result.sent) == (1, 0)
    assert mail.outbox == []


def test_the_unsubscribe_link_stops_that_search_in_one_click(active_member, pediatrics):
    saved = searching(active_member, "specialty=pediatrics", saved_on=MONDAY - WEEK)
    other = searching(active_member, "language=en", saved_on=MONDAY - WEEK)
    approved(MONDAY - datetime.timedelta(days=1), specialty=pediatrics)
    saved_search_send_alerts(now=MONDAY)
    alert = next(
        m for m in mail.outbox if "Peds" in m.subject and "pediatrics" in m.body
    )
    path = unsubscribe_path(alert)
    anonymous = Client(enforce_csrf_checks=True)
    opened = anonymous.get(path)  # a mail scanner: nothing changes
    assertContains(opened, "Stop these emails")
    saved.refresh_from_db()
    assert saved.alerts is True
    # RFC 8058: the mail client posts, with no session and no CSRF token.
    done = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assertContains(done, "no more weekly emails")
    saved.refresh_from_db()
    other.refresh_from_db()
    assert (saved.alerts, other.alerts) == (False, True)
    assertContains(anonymous.post(path), "no more weekly emails")  # replay: same
    mail.outbox.clear()
    approved(MONDAY + datetime.timedelta(days=1), specialty=pediatrics)
    saved_search_send_alerts(now=MONDAY + WEEK)
    assert all("pediatrics" not in message.body for message in mail.outbox)

    # A deleted search's link says so; a forged or expired one is refused.
    saved.delete()
    assertContains(
        anonymous.get(path), "This saved search was deleted", status_code=410
    )
    forged = anonymous.get(path[:-3] + "xx/")
    assertContains(forged, "This link is not valid", status_code=400)


def test_an_old_unsubscribe_link_expires(active_member, settings):
    settings.MENTOR_SAVED_SEARCH_LINK_MAX_AGE_DAYS = 0
    saved = searching(active_member, "", saved_on=MONDAY - WEEK)
    path = urlsplit(saved_search_unsubscribe_url(saved_search=saved)).path
    time.sleep(1.1)
    response = Client().post(path)
    assertContains(response, "This link has expired", status_code=400)
    saved.refresh_from_db()
    assert saved.alerts is True


def test_the_cron_command_reports_what_it_did(active_member, pediatrics):
    searching(active_member, "specialty=pediatrics", saved_on=MONDAY - 2 * WEEK)
    approved(timezone.now() - datetime.timedelta(days=1), specialty=pediatrics)
    out = StringIO()
    call_command("mentors_search_alerts", stdout=out)
    assert "Saved searches checked: 1; emails sent: 1." in out.getvalue()
    out = StringIO()
    call_command("mentors_search_alerts", stdout=out)
    assert "Saved searches checked: 0; emails sent: 0." in out.getvalue()
    assert len(mail.outbox) == 1


def test_saved_searches_are_exported_and_deleted_with_the_account(active_member):
    SavedSearch.objects.create(member=active_member, name="PR", query="state=PR")
    kept = SavedSearch.objects.create(
        member=make_member(state="active"), name="TX", query="state=TX"
    )
    exported = collect_user_data(active_member)["mentors"]["saved_searches"]
    assert [(s["name"], s["filters"], s["weekly_email"]) for s in exported] == [
        ("PR", "state=PR", True)
    ]
    delete_account(user=active_member)
    assert list(SavedSearch.objects.all()) == [kept]


def test_staff_see_saved_searches_read_only(admin_client_mfa, active_member):
    saved = SavedSearch.objects.create(
        member=active_member, name="PR", query="state=PR"
    )
    listing = admin_client_mfa.get(reverse("admin:mentors_savedsearch_changelist"))
    assertContains(listing, "state=PR")
    assertNotContains(listing, reverse("admin:mentors_savedsearch_add"))
    change = reverse("admin:mentors_savedsearch_change", args=[saved.pk])
    admin_client_mfa.post(change, {"name": "Changed", "query": "state=TX"})
    saved.refresh_from_db()
    assert (saved.name, saved.query) == ("PR", "state=PR")
