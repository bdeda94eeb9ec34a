"""Admin changelists at scale: the same queries with 3 rows as with 30, few of
them, and never a COUNT(*) of the whole table next to a filtered count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery
from members.factories import make_member
from mentors.factories import MentorFactory

CHANGELISTS = [
    "mentors_mentor",
    "mentors_pendingmentor",
    "members_user",
    "members_membership",
    "listserv_subscriber",
    "listserv_delivery",
]
# Session, user, MFA check and the page's own (rows, filtered count, filter
# choices); the import/export and history mixins add a few.
BUDGET = 14


def add_rows(start: int, stop: int) -> None:
    mailing = MailingFactory()
    for number in range(start, stop):
        MentorFactory(last_name=f"Findable{number}")
        MentorFactory(status="pending")
        make_member(email=f"findable{number}@example.org")
        subscriber = SubscriberFactory(name=f"Findable {number}")
        Delivery.objects.create(mailing=mailing, subscriber=subscriber)


def count_queries(client, name: str, query: dict) -> tuple[int, list[str]]:
    url = reverse(f"admin:{name}_changelist")
    client.get(url, query)  # warm: content types, permissions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
    assert response.status_code == 200, (name, response.status_code)
    return len(queries), [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("query", [{}, {"q": "findable"}], ids=["all", "search"])
@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_queries_stay_few_and_constant(admin_client_mfa, name, query):
    add_rows(0, 3)
    small, _sql = count_queries(admin_client_mfa, name, query)
    add_rows(3, 30)
    large, sql = count_queries(admin_client_mfa, name, query)
    assert large == small, "\n".join(sql)
    assert large <= BUDGET, "\n".join(sql)
    if query:
        # show_full_result_count = False: only the filtered count is taken.
        counts = [s for s in sql if s.startswith('SELECT COUNT(*) AS "__count"')]
        assert all(" WHERE " in s for s in counts), counts
