from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project package: site-wide plumbing every app uses (mail, signed links,
    text, limits, search, locations, middleware), and the staff reports."""

    name = "lmsa_portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from lmsa_portal import lookups  # noqa: F401  (registers itself on import)
