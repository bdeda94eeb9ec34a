"""Fixtures of the residency hub tests."""

import pytest

from residency_hub.factories import (
    AdvisorContactFactory,
    ProgramFactory,
    SpecialtyFactory,
)


@pytest.fixture
def specialty(db):
    return SpecialtyFactory(name="Hub Test Medicine", slug="hub-test-medicine")


@pytest.fixture
def program(specialty):
    program = ProgramFactory(
        specialty=specialty,
        name="Sunrise Family Medicine",
        institution="Sunrise Health",
        slug="sunrise-family-medicine",
    )
    AdvisorContactFactory(
        program=program, name="Dr. Elena Ruiz", email="elena.ruiz@sunrise.example"
    )
    return program
