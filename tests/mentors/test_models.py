"""Mentor and Language models."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from mentors.factories import MentorFactory, language
from mentors.models import Mentor

pytestmark = pytest.mark.django_db


def test_language_names_follow_the_page_language():
    spanish = language("es")
    assert str(spanish) == "Spanish"
    with translation.override("es"):
        assert str(spanish) == "Español"
    assert str(language("qu")) == "Quechua"  # not known to Django: stored name


def test_email_is_normalised_and_one_open_listing_per_address():
    mentor = MentorFactory(email="  Dr.Ruiz@Hospital.Example ")
    assert mentor.email == "dr.ruiz@hospital.example"
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorFactory(email="dr.ruiz@hospital.example", status="pending")
    # A removed or declined listing does not block a new sign-up.
    Mentor.objects.filter(pk=mentor.pk).update(status="removed")
    MentorFactory(email="dr.ruiz@hospital.example", status="pending")


def test_display_helpers():
    mentor = MentorFactory(
        first_name="Ana",
        last_name="Ruiz",
        credentials="DO",
        mentors_premed=True,
        mentors_medical_students=False,
        offers_in_person=True,
        offers_virtual=False,
    )
    assert str(mentor) == "Ana Ruiz, DO"
    assert mentor.mentee_level_labels == ["Premedical students"]
    assert mentor.mode_labels == ["In person"]
    assert mentor.get_absolute_url() == f"/mentors/{mentor.pk}/"


def test_paused_until_a_day_means_back_that_day():
    today = timezone.localdate()
    mentor = MentorFactory(paused_until=today + datetime.timedelta(days=1))
    assert mentor.is_paused(today)
    assert not mentor.is_paused(today + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"status": Mentor.Status.PENDING},
        {"status": Mentor.Status.DECLINED},
        {"paused_until": timezone.localdate() + datetime.timedelta(days=3)},
        {"paused_until": timezone.localdate()},
        {"stale_since": timezone.now()},
    ],
)
def test_is_live_agrees_with_the_live_queryset(fields):
    mentor = MentorFactory(**fields)
    assert mentor.is_live() == Mentor.objects.live().filter(pk=mentor.pk).exists()
