"""Background tasks of the listserv (django-tasks; ``manage.py db_worker`` in
production)."""

from dataclasses import asdict

from django_tasks import task

from listserv.sending import mailing_deliver


@task()
def send_mailing(mailing_id: int) -> dict:
    """Send a queued mailing; a second run resumes where the first one stopped."""
    return asdict(mailing_deliver(mailing_id=mailing_id))
