"""The sending loop: nothing lost, nothing twice.

Deliveries exist before sending starts (one row per mailing and subscriber, unique).
A worker claims a batch of queued rows atomically (``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, a conditional ``UPDATE ... WHERE claimed_by IS NULL``
elsewhere), opens one SMTP connection for the batch and works through it in groups
of ``LISTSERV_MARK_SENT_EVERY`` rows (default 1): one query checks the group's
subscribers are still subscribed, each message is sent, and one UPDATE marks the
group's accepted messages sent. Rows of a worker that died are reclaimed once their
claim is older than the timeout; failures are recorded and retried a bounded
number of times.

The one unavoidable window: a worker killed (SIGKILL, power loss) after the SMTP
server accepted a message but before its group was marked sent sends that group
again on resume. With the default (groups of one) that is at most one message; a
larger group (20 doubles the throughput on SQLite) widens the window to that many
messages and lets someone who unsubscribes mid-group still get that one mailing.
A worker asked to stop (SIGTERM/SIGINT) finishes the message in hand, marks what
was accepted and releases the rest, so a normal restart never repeats mail.

SMTP has no way to close that window, so the copy is made recognisable instead:
every message of a mailing carries a ``Message-ID`` that depends only on the
mailing and the subscriber (``<listserv.{mailing_id}.{subscriber_id}@{domain}>``),
and a message sent again after a crash has the same one. Receivers that drop a
second message with an ID they already have (Gmail, most IMAP clients) show it
once. Staff test messages get a random ID, never a real recipient's.
"""

import logging
import os
import re
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from listserv.models import Delivery, Mailing, Subscriber
from listserv.tokens import make_manage_token
from members.mail import portal_url
from members.text import html_to_text, render_markdown

logger = logging.getLogger(__name__)

_TOKEN_PLACEHOLDER = "LISTSERVTOKENPLACEHOLDER"
# Placeholders of the fast path's message template (ASCII, no spaces: they pass
# header folding and 7bit/8bit bodies unchanged).
_ID_PLACEHOLDER = "LISTSERVSUBSCRIBERIDPLACEHOLDER"
_DATE_PLACEHOLDER = "LISTSERVDATEPLACEHOLDER"
_RCPT_PLACEHOLDER = "listserv-recipient-placeholder@placeholder.invalid"
_TOKEN_PLACEHOLDER_B = _TOKEN_PLACEHOLDER.encode("ascii")
_ID_PLACEHOLDER_B = _ID_PLACEHOLDER.encode("ascii")
_DATE_PLACEHOLDER_B = _DATE_PLACEHOLDER.encode("ascii")
_RCPT_PLACEHOLDER_B = _RCPT_PLACEHOLDER.encode("ascii")


def batch_size_setting() -> int:
    return getattr(settings, "LISTSERV_BATCH_SIZE", 100)


def rate_setting() -> float:
    return getattr(settings, "LISTSERV_RATE_PER_SECOND", 10)


def max_attempts_setting() -> int:
    return getattr(settings, "LISTSERV_MAX_ATTEMPTS", 3)


def claim_timeout_setting() -> float:
    return getattr(settings, "LISTSERV_CLAIM_TIMEOUT_SECONDS", 900)


def retry_delay_setting() -> float:
    return getattr(settings, "LISTSERV_RETRY_DELAY_SECONDS", 60)


def message_id_domain() -> str:
    """Right-hand side of mailing Message-IDs: ``LISTSERV_MESSAGE_ID_DOMAIN``, else
    the host of ``PORTAL_BASE_URL``."""
    return (
        getattr(settings, "LISTSERV_MESSAGE_ID_DOMAIN", "")
        or urlsplit(settings.PORTAL_BASE_URL).hostname
        or "lmsa.net"
    )


def mailing_message_id(
    *, mailing_id: int, subscriber_id: int, domain: str | None = None
) -> str:
    """The one Message-ID of a mailing's message to one subscriber: the same on
    every send, so a copy re-sent after a crash is a duplicate by RFC 5322."""
    return f"<listserv.{mailing_id}.{subscriber_id}@{domain or message_id_domain()}>"


def make_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------------------------
# Rendering
# ------------------------------------------------------------------------------


class RenderedMailing:
    """A mailing rendered once; ``message_for`` only swaps in each recipient's
    signed links, so building 10,000 messages costs little."""

    def __init__(self, mailing: Mailing, *, base_url: str | None = None):
        self.mailing = mailing
        self.unsubscribe_url = portal_url(
            reverse("listserv:unsubscribe", args=[_TOKEN_PLACEHOLDER]),
            base_url=base_url,
        )
        self.preferences_url = portal_url(
            reverse("listserv:preferences", args=[_TOKEN_PLACEHOLDER]),
            base_url=base_url,
        )
        self.body_html = render_markdown(mailing.body_markdown)
        self.body_text = html_to_text(self.body_html)
        context = {
            "mailing": mailing,
            "body_html": mark_safe(self.body_html),  # noqa: S308 - sanitised by nh3
            "body_text": self.body_text,
            "unsubscribe_url": self.unsubscribe_url,
            "preferences_url": self.preferences_url,
        }
        self.html = render_to_string("listserv/email/mailing.html", context)
        self.text = render_to_string("listserv/email/mailing.txt", context)
        self.from_email = getattr(
            settings, "LISTSERV_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL
        )
        self.mailto = getattr(
            settings, "LISTSERV_UNSUBSCRIBE_MAILTO", "listserv-unsubscribe@lmsa.net"
        )
        self.list_id = getattr(
            settings,
            "LISTSERV_LIST_ID",
            "LMSA National Mentorship Listserv <mentorship-listserv.lmsa.net>",
        )
        self.message_id_domain = message_id_domain()
        self._template = _UNBUILT
        self._date_at = -1
        self._date_text = ""

    def headers_for(self, token: str) -> dict[str, str]:
        """RFC 2369 / RFC 8058 headers: one-click unsubscribe from the mail client."""
        unsubscribe = self.unsubscribe_url.replace(_TOKEN_PLACEHOLDER, token)
        return {
            "List-Unsubscribe": (
                f"<{unsubscribe}>, <mailto:{self.mailto}?subject=unsubscribe%20{token}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }

    def message_for(
        self,
        *,
        subscriber_id: int,
        email: str,
        subject_prefix: str = "",
        connection=None,
    ) -> EmailMultiAlternatives:
        """The message for one recipient. Its ``Message-ID`` is the recipient's
        stable one (``mailing_message_id``); a message with a ``subject_prefix``
        (the staff test) is not the real mailing and gets a random one, so it can
        never hide, or be hidden by, the real message."""
        if subject_prefix:
            message_id = make_msgid(domain=self.message_id_domain)
        else:
            message_id = mailing_message_id(
                mailing_id=self.mailing.pk,
                subscriber_id=subscriber_id,
                domain=self.message_id_domain,
            )
        return self._email(
            token=make_manage_token(subscriber_id),
            message_id=message_id,
            email=email,
            subject_prefix=subject_prefix,
            connection=connection,
        )

    def _email(
        self,
        *,
        token: str,
        message_id: str,
        email: str,
        subject_prefix: str = "",
        connection=None,
        date: str | None = None,
    ) -> EmailMultiAlternatives:
        headers = self.headers_for(token)
        if date is not None:
            headers["Date"] = date
        headers["Message-ID"] = message_id
        message = EmailMultiAlternatives(
            subject=subject_prefix + self.mailing.subject,
            body=self.text.replace(_TOKEN_PLACEHOLDER, token),
            from_email=self.from_email,
            to=[email],
            headers=headers,
            connection=connection,
        )
        message.attach_alternative(
            self.html.replace(_TOKEN_PLACEHOLDER, token), "text/html"
        )
        return message

    # --------------------------------------------------------------------------
    # Fast path: the message as bytes, built once per mailing
    # --------------------------------------------------------------------------
    def raw_message_for(self, *, subscriber_id: int, email: str) -> bytes | None:
        """The same message as ``message_for`` (same headers, parts, links and
        Message-ID), as the bytes to hand to the SMTP server, or ``None`` when
        this mailing or address needs the ``message_for`` path. The message is
        rendered to bytes once, with placeholders; per recipient only the
        address, the token, the Message-ID and the Date are substituted."""
        if self._template is _UNBUILT:
            self._template = self._build_template()
        if self._template is None or not _is_plain_address(email):
            return None
        return self._fill(
            self._template,
            token=make_manage_token(subscriber_id),
            subscriber_id=subscriber_id,
            email=email,
            date=self._date(),
        )

    def _date(self) -> str:
        now = int(time.time())
        if now != self._date_at:
            self._date_at = now
            self._date_text = formatdate(
                now, localtime=getattr(settings, "EMAIL_USE_LOCALTIME", False)
            )
        return self._date_text

    @staticmethod
    def _fill(
        template: bytes, *, token: str, subscriber_id: int, email: str, date: str
    ) -> bytes:
        return (
            template.replace(_TOKEN_PLACEHOLDER_B, token.encode("ascii"))
            .replace(_ID_PLACEHOLDER_B, str(int(subscriber_id)).encode("ascii"))
            .replace(_DATE_PLACEHOLDER_B, date.encode("ascii"))
            .replace(_RCPT_PLACEHOLDER_B, email.encode("ascii"))
        )

    def _build_template(self) -> bytes | None:
        """The message with placeholders, or ``None`` (with a log line) when the
        placeholders would not survive as plain text: a part that needs
        quoted-printable or base64 (a line over 998 bytes), a header that would be
        encoded, or anything else that makes the result differ from the
        ``message_for`` message. A built template is checked against
        ``message_for`` once, parsed, header by header and part by part."""
        message_id = mailing_message_id(
            mailing_id=self.mailing.pk,
            subscriber_id=_ID_PLACEHOLDER,
            domain=self.message_id_domain,
        )
        mime = self._email(
            token=_TOKEN_PLACEHOLDER,
            message_id=message_id,
            email=_RCPT_PLACEHOLDER,
            date=_DATE_PLACEHOLDER,
        ).message()
        for part in mime.walk():
            encoding = str(part.get("Content-Transfer-Encoding", "7bit")).lower()
            if encoding not in ("7bit", "8bit"):
                logger.info(
                    "Mailing %s: %s part, slower sending path",
                    self.mailing.pk,
                    encoding,
                )
                return None
        template = mime.as_bytes(linesep="\r\n")
        expected = {
            _TOKEN_PLACEHOLDER_B: 2
            + self.text.count(_TOKEN_PLACEHOLDER)
            + self.html.count(_TOKEN_PLACEHOLDER),
            _ID_PLACEHOLDER_B: 1,
            _DATE_PLACEHOLDER_B: 1,
            _RCPT_PLACEHOLDER_B: 1,
        }
        if any(template.count(key) != count for key, count in expected.items()):
            logger.info(
                "Mailing %s: slower sending path (placeholders)", self.mailing.pk
            )
            return None
        # Longest token, Message-ID and address still keep every line legal.
        widest = self._fill(
            template, token="A" * 120, subscriber_id=10**19, email="a" * 254, date=""
        )
        if max(len(line) for line in widest.split(b"\r\n")) > 998:
            logger.info("Mailing %s: slower sending path (long line)", self.mailing.pk)
            return None
        if not self._same_meaning(template):
            logger.warning(
                "Mailing %s: fast message differs from message_for; slower path",
                self.mailing.pk,
            )
            return None
        return template

    def _same_meaning(self, template: bytes) -> bool:
        subscriber_id, email = 1, "listserv-check@example.org"
        token, date = make_manage_token(subscriber_id), self._date()
        fast = self._fill(
            template, token=token, subscriber_id=subscriber_id, email=email, date=date
        )
        slow = self._email(
            token=token,
            message_id=mailing_message_id(
                mailing_id=self.mailing.pk,
                subscriber_id=subscriber_id,
                domain=self.message_id_domain,
            ),
            email=email,
            date=date,
        )
        return message_meaning(fast) == message_meaning(
            slow.message().as_bytes(linesep="\r\n")
        )


def message_meaning(raw: bytes) -> list:
    """What a mail client reads from a message: every header (unfolded, without
    the MIME boundary) and every part's type and decoded content, in order."""
    parsed = message_from_bytes(raw, policy=email_policy.default)
    meaning = []
    for part in parsed.walk():
        meaning.append(
            sorted(
                (name.lower(), " ".join(str(value).split()))
                for name, value in part.items()
                if name.lower() != "content-type"
            )
        )
        meaning.append((part.get_content_type(), part.get_content_charset()))
        if not part.is_multipart():
            meaning.append(part.get_content())
    return meaning


_UNBUILT = object()
_ADDRESS_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(
    rf"{_ADDRESS_ATOM}(?:\.{_ADDRESS_ATOM})*@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*\Z"
)


def _is_plain_address(address: str) -> bool:
    """An ASCII dot-atom address, the same in the envelope and the To header
    (anything else, e.g. an international address, goes the Django way)."""
    return len(address) <= 254 and _PLAIN_ADDRESS.match(address) is not None


# ------------------------------------------------------------------------------
# Claiming
# ------------------------------------------------------------------------------
def _claimable(mailing_id: int, now):
    return Delivery.objects.filter(
        mailing_id=mailing_id,
        status=Delivery.Status.QUEUED,
        claimed_by__isnull=True,
    ).filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))


def claim_batch(*, mailing_id: int, claim: str, size: int) -> tuple[list[int], bool]:
    """Claim up to ``size`` queued deliveries for ``claim``. Returns the claimed ids
    and whether there were candidates at all (a lost race is not "no work")."""
    now = timezone.now()
    if db_connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                _claimable(mailing_id, now)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:size]
            )
            if ids:
                Delivery.objects.filter(pk__in=ids).update(
                    claimed_by=claim, claimed_at=now
                )
        return ids, bool(ids)
    candidates = list(
        _claimable(mailing_id, now).order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not candidates:
        return [], False
    # The WHERE repeats the conditions: a row another worker claimed in between
    # is not updated, so each row is claimed by exactly one worker.
    _claimable(mailing_id, now).filter(pk__in=candidates).update(
        claimed_by=claim, claimed_at=now
    )
    ids = list(
        Delivery.objects.filter(claimed_by=claim, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ids, True


def release_stale_claims(*, mailing_id: int, timeout_seconds: float) -> int:
    """Give back rows claimed by a worker that died (claim older than the timeout)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=timeout_seconds)
    return Delivery.objects.filter(
        mailing_id=mailing_id,
        status=Delivery.Status.QUEUED,
        claimed_by__isnull=False,
        claimed_at__lt=cutoff,
    ).update(claimed_by=None, claimed_at=None)


def release_claim(claim: str) -> int:
    return Delivery.objects.filter(
        claimed_by=claim, status=Delivery.Status.QUEUED
    ).update(claimed_by=None, claimed_at=None)


# ------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------
class Pacer:
    """Keeps the sending rate at ``rate_per_second`` (0 or None: unlimited)."""

    def __init__(self, rate_per_second: float | None):
        self.interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = max(now, self.next_at) + self.interval


@dataclass
class SendReport:
    worker_id: str = ""
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    batches: int = 0
    stopped: bool = False
    errors: list[str] = field(default_factory=list)


def is_permanent_failure(error: Exception) -> bool:
    """A 5xx answer (mailbox does not exist, rejected): retrying will not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _record_failure(
    *, delivery_id: int, claim: str, attempts_before: int, error: Exception, report
) -> None:
    final = attempts_before + 1 >= max_attempts_setting() or is_permanent_failure(error)
    message = f"{type(error).__name__}: {error}"[:2000]
    updates = {
        "attempts": F("attempts") + 1,
        "last_error": message,
        "claimed_by": None,
        "claimed_at": None,
    }
    if final:
        updates["status"] = Delivery.Status.FAILED
        report.failed += 1
    else:
        updates["retry_after"] = timezone.now() + timezone.timedelta(
            seconds=retry_delay_setting()
        )
        report.retried += 1
    Delivery.objects.filter(pk=delivery_id, claimed_by=claim).update(**updates)
    if len(report.errors) < 20:
        report.errors.append(message)
    logger.warning("Listserv delivery %s failed: %s", delivery_id, message)


def mark_sent_every_setting() -> int:
    return max(1, getattr(settings, "LISTSERV_MARK_SENT_EVERY", 1))


def _table_sql() -> tuple[str, str, str]:
    quote = db_connection.ops.quote_name
    return (
        quote(Delivery._meta.db_table),
        quote(Subscriber._meta.db_table),
        quote(Delivery._meta.pk.column),
    )


def _group_rows(*, claim: str, delivery_ids: list[int]) -> dict[int, tuple]:
    """``{delivery id: (attempts, subscriber id, subscriber status, email)}`` of
    the group's rows still queued under ``claim``: one plain SELECT (this runs
    once per message with groups of one, so it skips the ORM's query building)."""
    delivery, subscriber, pk = _table_sql()
    marks = ", ".join(["%s"] * len(delivery_ids))
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.{pk}, d.attempts, d.subscriber_id, s.status, s.email "  # noqa: S608
            f"FROM {delivery} d INNER JOIN {subscriber} s ON s.id = d.subscriber_id "
            f"WHERE d.{pk} IN ({marks}) AND d.claimed_by = %s AND d.status = %s",
            [*delivery_ids, claim, Delivery.Status.QUEUED],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _mark_sent(*, claim: str, delivery_ids: list[int]) -> None:
    """Record a group of messages the SMTP server accepted, in one UPDATE (plain
    SQL, same statement as ``Delivery.objects.filter(pk__in=..., claimed_by=claim)
    .update(status=SENT, sent_at=now, attempts=F("attempts") + 1, last_error="")``)."""
    if not delivery_ids:
        return
    delivery, _subscriber, pk = _table_sql()
    marks = ", ".join(["%s"] * len(delivery_ids))
    sent_at = db_connection.ops.adapt_datetimefield_value(timezone.now())
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {delivery} SET status = %s, sent_at = %s, "  # noqa: S608
            f"attempts = attempts + 1, last_error = %s "
            f"WHERE {pk} IN ({marks}) AND claimed_by = %s",
            [Delivery.Status.SENT, sent_at, "", *delivery_ids, claim],
        )


def _fast_smtp(connection) -> bool:
    """Django's own SMTP backend (not a subclass that changes how it sends):
    prebuilt bytes can go straight to its smtplib connection."""
    return (
        type(connection).send_messages is SMTPBackend.send_messages
        and type(connection)._send is SMTPBackend._send
    )


def send_batch(
    *,
    rendered: RenderedMailing,
    claim: str,
    delivery_ids: list[int],
    pacer: Pacer,
    report: SendReport,
    should_stop: Callable[[], bool],
) -> None:
    """Send one claimed batch over one SMTP connection.

    The batch goes in small groups: one query reads a group's rows and their
    subscribers' status, and one UPDATE marks the group's accepted messages sent
    (also when the worker is asked to stop, or a send fails halfway).
    """
    connection = get_connection()
    opened = False
    group_size = mark_sent_every_setting()
    fast = _fast_smtp(connection)
    envelope_from = sanitize_address(rendered.from_email, settings.DEFAULT_CHARSET)
    try:
        for start in range(0, len(delivery_ids), group_size):
            group = delivery_ids[start : start + group_size]
            # Read the rows and the subscribers' status just before sending them:
            # someone who unsubscribed a second ago gets nothing, and a claim that
            # was taken over (this worker looked dead) is left to its new owner.
            rows = _group_rows(claim=claim, delivery_ids=group)
            accepted: list[int] = []
            try:
                for delivery_id in group:
                    if should_stop():
                        report.stopped = True
                        return
                    if delivery_id not in rows:
                        continue
                    attempts, subscriber_id, status, email = rows[delivery_id]
                    if status != Subscriber.Status.CONFIRMED:
                        Delivery.objects.filter(
                            pk=delivery_id, claimed_by=claim
                        ).update(
                            status=Delivery.Status.SKIPPED,
                            last_error=f"Subscriber is {status} at send time.",
                        )
                        report.skipped += 1
                        continue
                    pacer.wait()
                    try:
                        raw = (
                            rendered.raw_message_for(
                                subscriber_id=subscriber_id, email=email
                            )
                            if fast
                            else None
                        )
                        if not opened:
                            connection.open()
                            opened = True
                        if raw is not None:
                            # What the backend's send_messages() does, minus
                            # building the message.
                            if connection.connection is None:
                                raise smtplib.SMTPServerDisconnected("not connected")
                            connection.connection.sendmail(envelope_from, [email], raw)
                        else:
                            connection.send_messages(
                                [
                                    rendered.message_for(
                                        subscriber_id=subscriber_id, email=email
                                    )
                                ]
                            )
                    except Exception as error:  # noqa: BLE001 - any failure is recorded
                        _record_failure(
                            delivery_id=delivery_id,
                            claim=claim,
                            attempts_before=attempts,
                            error=error,
                            report=report,
                        )
                        # Start the next message on a fresh connection.
                        try:
                            connection.close()
                        except Exception:  # noqa: BLE001
                            logger.debug(
                                "Closing a broken SMTP connection failed", exc_info=True
                            )
                        opened = False
                        continue
                    accepted.append(delivery_id)
                    report.sent += 1
            finally:
                _mark_sent(claim=claim, delivery_ids=accepted)
    finally:
        try:
            release_claim(claim)
        except Exception:  # noqa: BLE001 - the claim then expires on its own
            logger.exception("Could not release listserv claim %s", claim)
        if opened:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                logger.debug("Closing the SMTP connection failed", exc_info=True)


def _finish_if_done(mailing_id: int) -> bool:
    if Delivery.objects.filter(
        mailing_id=mailing_id, status=Delivery.Status.QUEUED
    ).exists():
        return False
    Mailing.objects.filter(
        pk=mailing_id, status__in=[Mailing.Status.QUEUED, Mailing.Status.SENDING]
    ).update(status=Mailing.Status.SENT, finished_at=timezone.now())
    return True


def mailing_deliver(
    *,
    mailing_id: int,
    worker_id: str | None = None,
    batch_size: int | None = None,
    rate_per_second: float | None = None,
    claim_timeout_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    max_idle_wait_seconds: float = 300,
) -> SendReport:
    """Send every queued delivery of a mailing; safe to run in several workers at
    once and to run again after a crash."""
    worker_id = worker_id or make_worker_id()
    report = SendReport(worker_id=worker_id)
    mailing = Mailing.objects.get(pk=mailing_id)
    if mailing.status == Mailing.Status.DRAFT:
        logger.warning("Mailing %s is a draft; nothing to send", mailing_id)
        return report
    Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.QUEUED).update(
        status=Mailing.Status.SENDING, started_at=timezone.now()
    )
    batch_size = batch_size or batch_size_setting()
    timeout = (
        claim_timeout_setting()
        if claim_timeout_seconds is None
        else claim_timeout_seconds
    )
    rendered = RenderedMailing(mailing)
    pacer = Pacer(rate_setting() if rate_per_second is None else rate_per_second)
    idle_since = None
    while not should_stop():
        release_stale_claims(mailing_id=mailing_id, timeout_seconds=timeout)
        report.batches += 1
        claim = f"{worker_id}:{report.batches}"
        ids, had_candidates = claim_batch(
            mailing_id=mailing_id, claim=claim, size=batch_size
        )
        if ids:
            idle_since = None
            send_batch(
                rendered=rendered,
                claim=claim,
                delivery_ids=ids,
                pacer=pacer,
                report=report,
                should_stop=should_stop,
            )
            continue
        if had_candidates:
            continue  # another worker won this batch; try the next one
        # Nothing claimable now: wait for retries that are due later, if any.
        next_retry = Delivery.objects.filter(
            mailing_id=mailing_id,
            status=Delivery.Status.QUEUED,
            claimed_by__isnull=True,
            retry_after__isnull=False,
        ).aggregate(at=Min("retry_after"))["at"]
        if next_retry is None:
            break
        idle_since = idle_since or time.monotonic()
        if time.monotonic() - idle_since > max_idle_wait_seconds:
            break
        time.sleep(min(max((next_retry - timezone.now()).total_seconds(), 0.05), 5))
    if should_stop():
        report.stopped = True
    _finish_if_done(mailing_id)
    logger.info(
        "Listserv mailing %s, worker %s: %s sent, %s failed, %s skipped, %s retried",
        mailing_id,
        worker_id,
        report.sent,
        report.failed,
        report.skipped,
        report.retried,
    )
    return report
