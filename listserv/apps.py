from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListservConfig(AppConfig):
    name = "listserv"
    verbose_name = _("National Mentorship Listserv")
