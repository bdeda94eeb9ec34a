"""The archive of past mailings: per mailing hidden, members only (the default)
or public; members-only mailings follow the portal's access rule."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from listserv.factories import MailingFactory
from listserv.models import Mailing
from members.factories import make_member

Archive = Mailing.Archive


def sent(**fields):
    return MailingFactory(
        status=Mailing.Status.SENT, started_at=timezone.now(), **fields
    )


@pytest.mark.django_db
def test_new_mailings_are_members_only_in_the_archive():
    assert MailingFactory().archive == Archive.MEMBERS


@pytest.fixture
def mailings(db):
    return {
        "public": sent(subject="Public fair recap", archive=Archive.PUBLIC),
        "members": sent(subject="Members mentor call", archive=Archive.MEMBERS),
        "hidden": sent(subject="Hidden note", archive=Archive.HIDDEN),
        "draft": MailingFactory(subject="Unsent draft", archive=Archive.PUBLIC),
    }


def test_visitors_see_only_public_mailings(client, mailings):
    page = client.get(reverse("listserv:archive")).content.decode()
    assert "Public fair recap" in page
    for hidden in ["Members mentor call", "Hidden note", "Unsent draft"]:
        assert hidden not in page


@pytest.mark.parametrize("state", ["active", "staff"])
def test_active_members_also_see_members_only_mailings(client, mailings, state):
    client.force_login(make_member(state=state))
    page = client.get(reverse("listserv:archive")).content.decode()
    assert "Public fair recap" in page
    assert "Members mentor call" in page
    assert "Hidden note" not in page and "Unsent draft" not in page
    detail = client.get(
        reverse("listserv:archive-detail", args=[mailings["members"].pk])
    )
    assert detail.status_code == HTTPStatus.OK
    assert "<strong>volunteer</strong>" in detail.content.decode()


def test_a_members_only_mailing_follows_the_access_rule(client, mailings):
    url = reverse("listserv:archive-detail", args=[mailings["members"].pk])
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    for state in ["unverified", "pending", "expired"]:
        client.force_login(make_member(state=state))
        response = client.get(url)
        assert response.status_code == HTTPStatus.FORBIDDEN, state
        assert "Members mentor call" not in response.content.decode()
        page = client.get(reverse("listserv:archive")).content.decode()
        assert "Members mentor call" not in page


def test_public_mailing_opens_for_everyone(client, mailings):
    response = client.get(
        reverse("listserv:archive-detail", args=[mailings["public"].pk])
    )
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Public fair recap" in body
    assert "unsubscribe" not in body.lower()  # nobody's personal links


@pytest.mark.parametrize("which", ["hidden", "draft"])
def test_hidden_and_unsent_mailings_are_not_found(client, mailings, which):
    client.force_login(make_member(state="staff"))
    response = client.get(reverse("listserv:archive-detail", args=[mailings[which].pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_staff_change_the_archive_setting_after_sending(admin_client_mfa, mailings):
    mailing = mailings["members"]
    url = reverse("admin:listserv_mailing_change", args=[mailing.pk])
    assert 'name="archive"' in admin_client_mfa.get(url).content.decode()
    response = admin_client_mfa.post(url, {"archive": Archive.PUBLIC})
    assert response.status_code == HTTPStatus.FOUND
    mailing.refresh_from_db()
    assert mailing.archive == Archive.PUBLIC
    assert mailing.subject == "Members mentor call"  # the rest stays as sent
