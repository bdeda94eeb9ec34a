"""Account self-service pages."""

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from members.access import member_state
from members.forms import DeleteAccountForm, ProfileForm
from members.privacy import collect_user_data, delete_account


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The member's own page: membership status, profile form, account links."""
    user = request.user
    membership = user.membership
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile was saved."))
            return redirect("members:me")
    else:
        form = ProfileForm(user=user)
    return render(
        request,
        "members/me.html",
        {"form": form, "membership": membership, "state": member_state(user).value},
    )


@never_cache
@login_required
def export_data(request: HttpRequest) -> JsonResponse:
    """Download everything the portal holds about the signed-in person, as JSON."""
    response = JsonResponse(
        collect_user_data(request.user),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = 'attachment; filename="lmsa-portal-my-data.json"'
    return response


@never_cache
@login_required
@reauthentication_required
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after re-authentication and an explicit confirmation."""
    if request.method == "POST":
        form = DeleteAccountForm(request.POST)
        if form.is_valid():
            user = request.user
            logout(request)
            delete_account(user=user)
            messages.success(request, _("Your account and your data were deleted."))
            return redirect("home")
    else:
        form = DeleteAccountForm()
    return render(request, "members/delete_account.html", {"form": form})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered in a signed-in member's profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and request.user.preferred_language != language
    ):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response
