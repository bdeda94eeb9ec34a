from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmaConfig(AppConfig):
    name = "ama"
    verbose_name = _("Ask Me Anything")
