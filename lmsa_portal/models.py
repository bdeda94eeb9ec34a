"""Staff operations that span the initiatives."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffDigest(models.Model):
    """One daily staff digest sent; the unique day makes the cron idempotent."""

    sent_on = models.DateField(_("sent on"), unique=True)
    waiting = models.JSONField(_("what was waiting"), default=dict)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff digest")
        verbose_name_plural = _("staff digests")
        ordering = ["-sent_on"]
        # Staff reports (/admin/reports/) read every initiative's figures.
        permissions = [("view_reports", _("Can view the staff reports"))]

    def __str__(self) -> str:
        return str(self.sent_on)
