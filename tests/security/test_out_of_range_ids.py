"""Ids no integer column can hold (past 64 bits), from a form or a query string.

SQLite's driver raises ``OverflowError`` on them, so each of these was a 500;
``lmsa_portal.lookups`` drops them from ``__in`` lists, as Django itself does for
``=``, ``<`` and ``>``. Forms are one way in; the admin is the wider one: every
changelist accepts ``?id__in=`` (third-party admins too), actions filter the
ticked ``pk__in``, and Django's own Group admin has a many-to-many field.
"""

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.models import Group
from django.urls import reverse

from listserv.factories import SubscriberFactory
from listserv.models import Interest, Subscriber
from mentors.models import Language

pytestmark = pytest.mark.django_db

HUGE = [2**63, -(2**63) - 1, 10**40]


@pytest.mark.parametrize("huge", HUGE)
def test_in_lookup_with_out_of_range_ids_matches_nothing(huge):
    assert list(Interest.objects.filter(pk__in=[huge])) == []


def test_in_lookup_keeps_the_ids_that_fit():
    interest = Interest.objects.order_by("pk").first()
    found = Interest.objects.filter(pk__in=[2**63, interest.pk, str(10**30)])
    assert list(found) == [interest]


@pytest.mark.parametrize("huge", HUGE)
def test_checkbox_value_past_64_bits_is_not_a_valid_choice(huge):
    field = forms.ModelMultipleChoiceField(queryset=Language.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(huge)])
    assert refused.value.code == "invalid_choice"


@pytest.mark.parametrize(
    ("model", "url_name"),
    [
        (Subscriber, "admin:listserv_subscriber_changelist"),
        (EmailAddress, "admin:account_emailaddress_changelist"),  # allauth's admin
        (Group, "admin:auth_group_changelist"),  # Django's own
    ],
)
def test_admin_changelist_with_an_out_of_range_id_filter_lists_nothing(
    admin_client_mfa, model, url_name
):
    SubscriberFactory()
    # Rows to hide: the admin's own address; the groups of the data migrations.
    assert model.objects.exists()
    response = admin_client_mfa.get(reverse(url_name), {"id__in": str(2**63)})
    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].result_count == 0


def test_admin_action_ignores_ticked_ids_past_64_bits(admin_client_mfa):
    kept = SubscriberFactory()
    response = admin_client_mfa.post(
        reverse("admin:listserv_subscriber_changelist"),
        {"action": "delete_selected", "_selected_action": [str(2**63), kept.pk]},
    )
    assert response.status_code == HTTPStatus.OK  # the confirmation page
    assert list(response.context["queryset"]) == [kept]


def test_admin_many_to_many_field_refuses_an_id_past_64_bits(admin_client_mfa):
    response = admin_client_mfa.post(
        reverse("admin:auth_group_add"), {"name": "Curators", "permissions": [2**63]}
    )
    assert response.status_code == HTTPStatus.OK
    assert "permissions" in response.context["adminform"].form.errors
    assert not Group.objects.filter(name="Curators").exists()
