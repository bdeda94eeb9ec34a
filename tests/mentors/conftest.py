"""Fixtures of the mentor registry tests."""

import pytest

from mentors.factories import MentorFactory


@pytest.fixture
def mentor(db):
    """An approved, live listing with contact details."""
    return MentorFactory(
        first_name="Lucía",
        last_name="Santiago",
        email="lucia.santiago@hospital.example",
        phone="(787) 555-0142",
        languages=["es", "en"],
    )


@pytest.fixture
def pending_mentor(db):
    return MentorFactory(status="pending", decided_at=None, confirmed_at=None)
