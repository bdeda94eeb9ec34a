"""Admin pieces the apps share: read-only logs, and the actions that ask staff for
something (a reason, a date) before they run on the selected rows."""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _


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


def action_confirmation(
    modeladmin,
    request,
    objects: Iterable,
    *,
    form: forms.Form,
    action: str,
    title: str,
    intro: str,
    button: str,
    describe: Callable[[object], str] = str,
):
    """The intermediate page of an admin action: the selected rows (each as
    ``describe`` puts it), the form, and a button that runs the action."""
    return render(
        request,
        "admin/action_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "button": button,
            "form": form,
            "action": action,
            "rows": [(obj.pk, describe(obj)) for obj in objects],
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class DeclineForm(forms.Form):
    """Staff: the reason sent with a decline (optional); the label says to whom."""

    reason = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args, reason_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = reason_label


def decline_action(
    *,
    decline: Callable,
    description: str,
    title: str,
    intro: str,
    reason_label: str,
    done,
    describe: Callable[[object], str] = str,
    selected: Callable = lambda queryset: queryset,
    permissions: list[str] | None = None,
):
    """The "decline selected (asks for a reason)" admin action of every review
    queue. The app supplies what differs: ``decline(obj, request, reason)`` calls
    its service (which emails the person), ``selected(queryset)`` narrows or
    reloads the rows, ``describe`` names a row on the page, ``done`` is an
    ``ngettext_lazy`` message taking the count."""

    @admin.action(description=description, permissions=permissions)
    def decline_selected(modeladmin, request, queryset):
        objects = selected(queryset)
        form = DeclineForm(
            request.POST if "apply" in request.POST else None,
            reason_label=reason_label,
        )
        if not form.is_valid():
            return action_confirmation(
                modeladmin,
                request,
                objects,
                form=form,
                action="decline_selected",
                title=title,
                intro=intro,
                button=_("Decline and email"),
                describe=describe,
            )
        count = 0
        for obj in objects:
            decline(obj, request, form.cleaned_data["reason"])
            count += 1
        modeladmin.message_user(request, done % count, messages.SUCCESS)
        return None

    return decline_selected
