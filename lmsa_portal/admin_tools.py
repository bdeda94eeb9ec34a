"""Admin pieces the apps share."""


class ReadOnlyAdminMixin:
    """A log or queue staff look at and act on with actions, but never add to,
    edit or delete from in the admin (deliveries, provider events, the review
    queue)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
