"""Reply-To per mailing, and scheduled sending: a mailing scheduled for later is
started by the task worker at its time, and not before."""

import datetime
import email
from email import policy

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from listserv.factories import MailingFactory, SubscriberFactory
from listserv.models import Delivery, Mailing
from listserv.services import (
    mailing_schedule,
    mailing_send,
    mailing_start_due,
    mailing_start_if_due,
    mailing_unschedule,
)


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


# ------------------------------------------------------------------------------
# Reply-To
# ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_replies_go_to_the_lists_address_by_default(smtp_settings, settings):
    settings.LISTSERV_REPLY_TO = "mentorship@lmsa.example"
    SubscriberFactory()
    mailing_send(mailing=MailingFactory())
    [(_sender, _rcpts, raw)] = smtp_settings.messages
    assert parse(raw)["Reply-To"] == "mentorship@lmsa.example"


@pytest.mark.django_db
def test_a_mailing_can_name_its_own_reply_to(smtp_settings):
    SubscriberFactory()
    mailing_send(mailing=MailingFactory(reply_to="fair-2027@lmsa.example"))
    [(_sender, _rcpts, raw)] = smtp_settings.messages
    assert parse(raw)["Reply-To"] == "fair-2027@lmsa.example"


@pytest.mark.django_db
def test_staff_set_reply_to_when_composing_and_the_test_message_has_it(
    admin_client_mfa,
):
    response = admin_client_mfa.post(
        reverse("admin:listserv_mailing_add"),
        {
            "subject": "Fair",
            "body_markdown": "Come.",
            "reply_to": "fair@lmsa.example",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailing = Mailing.objects.get()
    assert mailing.reply_to == "fair@lmsa.example"
    admin_client_mfa.post(
        reverse("admin:listserv_mailing_send_test", args=[mailing.pk])
    )
    assert mail.outbox[-1].reply_to == ["fair@lmsa.example"]


# ------------------------------------------------------------------------------
# Scheduled sending
# ------------------------------------------------------------------------------
@pytest.fixture
def database_tasks(settings):
    """Production's task backend (django-tasks-db, supports run_after)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_worker_starts_a_scheduled_mailing_at_its_time_and_not_before(
    smtp_settings, database_tasks
):
    handler = smtp_settings
    SubscriberFactory(email="early@example.org")
    mailing = MailingFactory()
    send_at = timezone.now() + datetime.timedelta(hours=1)
    mailing_schedule(mailing=mailing, send_at=send_at)
    assert mailing.status == Mailing.Status.SCHEDULED
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get()
    assert task.run_after == send_at

    run_worker()  # before its time: the task is not ready
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert handler.messages == []
    assert not Delivery.objects.exists()

    # Someone subscribes before the send time: the audience is chosen at start.
    SubscriberFactory(email="late@example.org")
    # The hour passes: the send time and the task's run_after move into the past
    # (what waiting would do, without the wait).
    hour = datetime.timedelta(hours=1, seconds=1)
    Mailing.objects.filter(pk=mailing.pk).update(send_at=F("send_at") - hour)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=F("run_after") - hour)
    run_worker()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert sorted(r for _s, rcpts, _raw in handler.messages for r in rcpts) == [
        "early@example.org",
        "late@example.org",
    ]


@pytest.mark.django_db
def test_starting_is_idempotent_and_waits_for_the_time(smtp_settings):
    handler = smtp_settings
    SubscriberFactory()
    mailing = MailingFactory()
    send_at = timezone.now() + datetime.timedelta(hours=1)
    mailing_schedule(mailing=mailing, send_at=send_at)  # immediate backend: no defer
    assert not mailing_start_if_due(mailing_id=mailing.pk)
    assert mailing_start_due(now=send_at - datetime.timedelta(seconds=1)) == 0
    assert handler.messages == []
    assert mailing_start_due(now=send_at) == 1
    assert mailing_start_due(now=send_at) == 0  # a second cron run does nothing
    assert len(handler.messages) == 1
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT


@pytest.mark.django_db
def test_the_cron_command_starts_due_mailings(smtp_settings, capsys):
    SubscriberFactory()
    mailing = MailingFactory()
    mailing_schedule(mailing=mailing, send_at=timezone.now() + datetime.timedelta(0, 1))
    Mailing.objects.filter(pk=mailing.pk).update(
        send_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    call_command("listserv_start_scheduled")
    assert "Started 1" in capsys.readouterr().out
    assert len(smtp_settings.messages) == 1


@pytest.mark.django_db
def test_a_cancelled_schedule_never_starts(smtp_settings):
    SubscriberFactory()
    mailing = MailingFactory()
    send_at = timezone.now() + datetime.timedelta(minutes=5)
    mailing_schedule(mailing=mailing, send_at=send_at)
    assert mailing_unschedule(mailing=mailing)
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing_start_due(now=send_at + datetime.timedelta(hours=1)) == 0
    assert smtp_settings.messages == []


@pytest.mark.django_db
def test_staff_schedule_from_the_send_page(
    admin_client_mfa, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    SubscriberFactory()
    mailing = MailingFactory()
    url = reverse("admin:listserv_mailing_send", args=[mailing.pk])
    page = admin_client_mfa.get(url)
    assert 'type="datetime-local"' in page.content.decode()
    later = timezone.localtime() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_mfa.post(
            url, {"send_at": later.strftime("%Y-%m-%dT%H:%M")}, follow=True
        )
    assert "Scheduled" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailing.send_at == later.replace(second=0, microsecond=0)
    assert not Delivery.objects.exists()
    from django_tasks import default_task_backend

    [result] = default_task_backend.results
    assert result.task.run_after == mailing.send_at
    assert result.args == [] and result.kwargs == {"mailing_id": mailing.pk}


def test_a_send_time_in_the_past_is_refused_not_sent_now():
    # Review: a mistyped past date fell through to "send now" to everyone.
    from listserv.forms import SendForm

    past = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    form = SendForm(data={"send_at": past})
    assert not form.is_valid()
    assert "This time has passed" in str(form.errors["send_at"])
    assert SendForm(data={"send_at": ""}).is_valid()  # empty: now
