"""Demo mentors: realistic, deterministic and idempotent."""

import pytest

from mentors.demo import load_demo
from mentors.models import Mentor

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        Mentor.objects.values_list(
            "email", "specialty__slug", "state", "status", "special_requests"
        )
    )


def test_demo_mentors_span_specialties_states_and_statuses():
    lines = load_demo()
    assert lines and "36 demo mentors" in lines[0]
    assert Mentor.objects.filter(stale_since__isnull=False).count() == 1
    assert Mentor.objects.count() == 36
    assert Mentor.objects.filter(status="pending").count() == 2
    assert Mentor.objects.live().count() >= 30
    assert Mentor.objects.values("specialty").distinct().count() >= 10
    assert Mentor.objects.values("state").distinct().count() >= 10
    assert Mentor.objects.filter(state="PR").exists()
    assert Mentor.objects.filter(languages__code="es").exists()
    assert all(m.languages.exists() for m in Mentor.objects.all())
    assert all(m.mentee_levels and m.modes for m in Mentor.objects.all())


def test_demo_is_deterministic_and_idempotent():
    load_demo()
    first = snapshot()
    load_demo()
    assert snapshot() == first
    assert Mentor.objects.count() == 36


def test_demo_mentors_who_say_they_speak_spanish_list_spanish():
    # Seen: María García's bio said "Bilingual clinician" but listed English only.
    load_demo()
    for mentor in Mentor.objects.prefetch_related("languages"):
        if "Spanish" in mentor.bio + mentor.special_requests:
            codes = {language.code for language in mentor.languages.all()}
            assert "es" in codes, (mentor.first_name, mentor.last_name, codes)
