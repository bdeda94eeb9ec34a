"""A database outage answers 503 with a polite page, and is logged once.

While PostgreSQL restarts, every request fails on its first query. Django turns
each such exception into the ``handler500`` view (``lmsa_portal.views.server_error``
asks :func:`is_database_outage`), from whichever middleware or view it came, so one
check covers sessions, the login and every page. Each of those responses would also
be logged with its traceback: :class:`OncePerOutageFilter` lets one through per
``OUTAGE_LOG_INTERVAL_SECONDS`` and drops the rest.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

# Seconds a visitor is asked to wait before trying again (Retry-After).
RETRY_AFTER_SECONDS = 30

_last_logged = 0.0


def is_database_outage(exception: BaseException | None) -> bool:
    """True for the errors of a database that cannot be reached or has gone away
    (not for a query's own mistakes, such as an IntegrityError)."""
    return isinstance(exception, (OperationalError, InterfaceError))


class OncePerOutageFilter(logging.Filter):
    """Keep one record of a database outage per interval in this process."""

    def filter(self, record: logging.LogRecord) -> bool:
        global _last_logged
        exception = record.exc_info[1] if record.exc_info else None
        unavailable = getattr(record, "status_code", 0) == 503
        if not (is_database_outage(exception) or unavailable):
            return True
        now = time.monotonic()
        if now - _last_logged < settings.OUTAGE_LOG_INTERVAL_SECONDS:
            return False
        _last_logged = now
        return True
