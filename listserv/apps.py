from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListservConfig(AppConfig):
    name = "listserv"
    verbose_name = _("National Mentorship Listserv")

    def ready(self):
        from anymail.signals import tracking

        from listserv.suppression import handle_tracking_event

        tracking.connect(handle_tracking_event, dispatch_uid="listserv-suppression")
