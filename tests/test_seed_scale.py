"""The scale-data command seeds every app, reproducibly, and only once."""

from io import StringIO

from django.core.management import call_command

from ama.models import Video
from listserv.models import Delivery, Subscriber
from members.models import User
from mentors.models import Mentor
from residency_hub.models import Event, Program


def seed(scale: str = "0.005") -> str:
    out = StringIO()
    call_command("seed_scale", "--scale", scale, stdout=out)
    return out.getvalue()


def test_seed_scale_fills_every_app(db):
    output = seed()
    assert User.objects.filter(email__endswith="scale.lmsa.example").count() == 100
    assert Mentor.objects.count() == 50
    assert Program.objects.count() == 10
    assert Event.objects.count() == 100
    assert Video.objects.published().count() == 5
    assert Subscriber.objects.count() == 250
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 250
    for app in ["members", "mentors", "residency_hub", "ama", "listserv"]:
        assert app in output


def test_seed_scale_runs_once(db):
    seed()
    counts = (User.objects.count(), Mentor.objects.count(), Event.objects.count())
    assert "already seeded" in seed()
    assert (
        User.objects.count(),
        Mentor.objects.count(),
        Event.objects.count(),
    ) == counts


def test_seed_scale_is_reproducible(db):
    seed()
    first = list(Mentor.objects.order_by("email").values_list("state", "city"))
    Mentor.objects.all().delete()
    seed()
    assert list(Mentor.objects.order_by("email").values_list("state", "city")) == first
