from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from members import signals

        # After every app's permissions exist (they are created post_migrate too).
        post_migrate.connect(
            signals.sync_content_curator_permissions,
            dispatch_uid="members.sync_content_curator_permissions",
        )
