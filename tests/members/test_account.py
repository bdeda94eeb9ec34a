"""Account self-service: profile, data export, account deletion."""

import json
from http import HTTPStatus

from django.urls import reverse
from pytest_django.asserts import assertContains

from members.factories import DEFAULT_PASSWORD, make_member
from members.models import Membership, User


def test_profile_page_shows_status_and_expiry(client, active_member):
    client.force_login(active_member)
    response = client.get(reverse("members:me"))
    assertContains(response, "Active member")
    assertContains(response, "Expires on")
    assert (
        response["Cache-Control"].startswith("max-age=0")
        or "no-store" in response["Cache-Control"]
    )


def test_profile_edit_saves_and_keeps_status(client, active_member):
    client.force_login(active_member)
    response = client.post(
        reverse("members:me"),
        {
            "first_name": "María",
            "last_name": "Núñez",
            "member_type": "resident",
            "institution": "Hospital Universitario",
            "graduation_year": "2029",
            "region": "puerto_rico",
            "preferred_language": "es",
            "time_zone": "America/Puerto_Rico",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(pk=active_member.pk)
    assert user.first_name == "María"
    assert user.preferred_language == "es"
    assert user.time_zone == "America/Puerto_Rico"
    assert user.membership.region == "puerto_rico"
    assert user.membership.status == Membership.Status.APPROVED


def test_profile_edit_rejects_bad_input_and_keeps_it(client, active_member):
    client.force_login(active_member)
    response = client.post(
        reverse("members:me"),
        {
            "first_name": "María",
            "last_name": "",
            "member_type": "resident",
            "institution": "Typed Institution",
            "graduation_year": "20x9",
            "region": "nowhere",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == HTTPStatus.OK
    assertContains(response, 'value="Typed Institution"')
    assert User.objects.get(pk=active_member.pk).first_name != "María"


def test_export_contains_everything_and_nothing_of_others(client, active_member):
    other = make_member(state="active", email="someone-else@example.org")
    client.force_login(active_member)
    response = client.get(reverse("members:export"))
    assert response.status_code == HTTPStatus.OK
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["members"]["account"]["email"] == active_member.email
    assert data["members"]["membership"]["status"] == "approved"
    assert data["members"]["email_addresses"][0]["verified"] is True
    assert other.email not in response.content.decode()


def test_export_requires_login(client, db):
    response = client.get(reverse("members:export"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


def test_delete_requires_recent_authentication(client, active_member):
    client.force_login(active_member)
    response = client.get(reverse("members:delete"))
    assert response.status_code == HTTPStatus.FOUND
    assert "reauthenticate" in response["Location"]


def test_delete_account_after_reauthentication(client, active_member):
    client.force_login(active_member)
    response = client.post(reverse("account_reauthenticate"), {"password": "wrong"})
    assert response.status_code == HTTPStatus.OK  # wrong password: still locked
    response = client.post(
        reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    response = client.post(reverse("members:delete"), {})
    assertContains(response, "Tick the box to confirm")
    assert User.objects.filter(pk=active_member.pk).exists()
    response = client.post(reverse("members:delete"), {"confirm": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert not User.objects.filter(pk=active_member.pk).exists()
    assert not Membership.objects.filter(user_id=active_member.pk).exists()
    assert "_auth_user_id" not in client.session


def test_account_page_title_is_only_the_title(client, active_member):
    client.force_login(active_member)
    content = client.get(reverse("members:me")).content.decode()
    title = content.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.strip() == "My account · LMSA"
    assert content.count('id="data-heading"') == 1
