"""Background tasks of the listserv (django-tasks; ``manage.py db_worker`` in
production)."""

from dataclasses import asdict

from django_tasks import task

from listserv.models import Mailing
from listserv.sending import mailing_deliver
from listserv.services import mailing_start_if_due


@task()
def send_mailing(mailing_id: int) -> dict:
    """Send a queued mailing; a second run resumes where the first one stopped.

    A run that fails leaves its reason on the mailing for staff to read in the
    admin ("Resume sending" runs it again), so a mailing never stops silently."""
    try:
        report = mailing_deliver(mailing_id=mailing_id)
    except Exception as error:
        Mailing.objects.filter(pk=mailing_id).update(
            last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    Mailing.objects.filter(pk=mailing_id).exclude(last_error="").update(last_error="")
    return asdict(report)


@task()
def start_scheduled_mailing(mailing_id: int) -> bool:
    """Enqueued with ``run_after`` = the mailing's send time: start it if it is
    still scheduled for a time that has come (staff may have moved or cancelled
    it since; a run before its time does nothing)."""
    return mailing_start_if_due(mailing_id=mailing_id)
