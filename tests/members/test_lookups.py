"""lmsa_portal.lookups: ``__in`` with numbers no integer column can hold."""

import pytest

from listserv.models import Interest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("huge", [2**63, -(2**63) - 1, 10**40])
def test_in_lookup_with_out_of_range_ids_matches_nothing(huge):
    assert list(Interest.objects.filter(pk__in=[huge])) == []


def test_in_lookup_keeps_the_ids_that_fit():
    interest = Interest.objects.order_by("pk").first()
    found = Interest.objects.filter(pk__in=[2**63, interest.pk, str(10**30)])
    assert list(found) == [interest]
