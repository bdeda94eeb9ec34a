from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidencyHubConfig(AppConfig):
    name = "residency_hub"
    verbose_name = _("URM Residency Hub")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from residency_hub.models import CalendarFeedToken

        def forget_link(sender, instance, **kwargs):
            from residency_hub.services import forget_calendar_link

            forget_calendar_link(instance.user_id)

        for signal in (post_save, post_delete):
            signal.connect(
                forget_link,
                sender=CalendarFeedToken,
                weak=False,
                dispatch_uid="residency_hub.forget_calendar_link",
            )
