"""Email backends for failure tests."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """locmem, except that addresses in ``failing`` are refused: ``None`` means
    for ever ("550 mailbox unavailable"), a number counts down temporary
    failures ("451 try again later"), and ``"down"`` means the server drops the
    connection each time (a temporary failure too)."""

    failing: dict[str, int | None] = {}
    connections_opened = 0

    def open(self):
        FlakyBackend.connections_opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address not in self.failing:
                    continue
                left = self.failing[address]
                if left == "down":
                    raise smtplib.SMTPServerDisconnected(
                        "Connection unexpectedly closed"
                    )
                if left is None:
                    raise smtplib.SMTPRecipientsRefused(
                        {address: (550, b"mailbox unavailable")}
                    )
                if left > 0:
                    self.failing[address] = left - 1
                    raise smtplib.SMTPRecipientsRefused(
                        {address: (451, b"try again later")}
                    )
        return super().send_messages(messages)


def outbox_recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]
