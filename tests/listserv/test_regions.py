"""The LMSA-region segment: subscribers give their region (members: from their
membership), and a mailing can go to some regions only."""

import pytest
from django.urls import reverse

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Mailing, Subscriber
from listserv.services import mailing_audience, mailing_send
from members.models import Membership
from tests.listserv.test_views import signup_data

Region = Membership.Region


@pytest.mark.django_db
def test_a_mailing_for_some_regions_reaches_only_them(smtp_settings):
    west = SubscriberFactory(region=Region.WEST)
    puerto_rico = SubscriberFactory(region=Region.PUERTO_RICO)
    SubscriberFactory(region=Region.MIDWEST)
    SubscriberFactory(region="")  # no region given: not in a regional mailing
    mailing = MailingFactory(regions=[Region.WEST, Region.PUERTO_RICO])
    assert set(mailing_audience(mailing)) == {west, puerto_rico}
    assert mailing_send(mailing=mailing) == 2
    assert sorted(r for _s, rcpts, _raw in smtp_settings.messages for r in rcpts) == (
        sorted([west.email, puerto_rico.email])
    )


@pytest.mark.django_db
def test_no_region_filter_means_every_region():
    SubscriberFactory.create_batch(2, region=Region.WEST)
    SubscriberFactory(region="")
    assert mailing_audience(MailingFactory()).count() == 3


@pytest.mark.django_db
def test_subscribers_can_give_their_region_when_signing_up(client):
    client.post(reverse("listserv:signup"), signup_data(region=Region.SOUTHWEST))
    assert Subscriber.objects.get().region == Region.SOUTHWEST


@pytest.mark.django_db
def test_a_region_is_optional_at_sign_up(client):
    client.post(reverse("listserv:signup"), signup_data())
    assert Subscriber.objects.get().region == ""


@pytest.mark.django_db
def test_a_members_one_click_subscription_takes_the_membership_region(
    client, active_member
):
    active_member.membership.region = Region.PUERTO_RICO
    active_member.membership.save()
    SubscriberFactory(email=active_member.email, region=Region.WEST)
    client.force_login(active_member)
    client.post(reverse("listserv:member-subscribe"))
    assert Subscriber.objects.get().region == Region.PUERTO_RICO


@pytest.mark.django_db
def test_staff_pick_regions_when_composing(admin_client_mfa):
    response = admin_client_mfa.post(
        reverse("admin:listserv_mailing_add"),
        {
            "subject": "West coast fair",
            "body_markdown": "Come.",
            "regions": [Region.WEST, Region.SOUTHWEST],
        },
    )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.regions == [Region.WEST, Region.SOUTHWEST]
    mailing_send(mailing=mailing)
    page = admin_client_mfa.get(
        reverse("admin:listserv_mailing_change", args=[mailing.pk])
    )
    assert "West, Southwest" in page.content.decode()
