from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidencyHubConfig(AppConfig):
    name = "residency_hub"
    verbose_name = _("URM Residency Hub")
