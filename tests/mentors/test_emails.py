"""Mentor emails greet a physician by title and last name, in both languages."""

import pytest
from django.core import mail

from members.factories import make_member
from mentors.factories import MentorFactory
from mentors.services import mentor_approve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("en", "Dear Dr. O'Brien-García,"), ("es", "Estimado/a Dr./Dra. O'Brien-García:")],
)
def test_mentor_emails_greet_by_title_and_last_name(language, greeting):
    mentor = MentorFactory(
        first_name="Lucía",
        last_name="O'Brien-García",
        status="pending",
        language=language,
    )
    mentor_approve(mentor=mentor, by=make_member(state="staff"))
    body = mail.outbox[-1].body
    assert body.startswith(greeting)
    assert "Lucía" not in body.splitlines()[0]
