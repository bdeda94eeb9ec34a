"""Demo data loads, is idempotent and looks like the real thing."""

from django.utils import timezone

from residency_hub.demo import load_demo
from residency_hub.models import AdvisorContact, Event, Program


def test_demo_is_idempotent_and_spread_out(db):
    lines = load_demo()
    assert lines
    counts = (
        Program.objects.count(),
        AdvisorContact.objects.count(),
        Event.objects.count(),
    )
    uids = set(Event.objects.values_list("uid", flat=True))
    load_demo()
    assert counts == (
        Program.objects.count(),
        AdvisorContact.objects.count(),
        Event.objects.count(),
    )
    assert set(Event.objects.values_list("uid", flat=True)) == uids
    # Nothing changed on the second run, so calendars see no new revision.
    assert set(Event.objects.values_list("sequence", flat=True)) == {0}
    assert Program.objects.values("specialty").distinct().count() >= 5
    assert Program.objects.values("state").distinct().count() >= 5
    assert Program.objects.exclude(dei_initiatives="").count() == counts[0]
    assert Event.objects.upcoming().count() >= 8
    assert Event.objects.filter(ends_at__lt=timezone.now()).exists()
    assert Program.objects.verification_overdue().exists()
