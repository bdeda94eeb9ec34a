"""Public listserv pages: sign up, confirm, unsubscribe, preferences; the member's
one-click subscription."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import FormView, TemplateView

from listserv.forms import PreferencesForm, SignupForm
from listserv.models import Mailing, Subscriber
from listserv.services import (
    CONFIRM_LINK,
    MANAGE_LINK,
    has_verified_email,
    member_subscribe,
    subscriber_confirm,
    subscriber_for_user,
    subscriber_resubscribe,
    subscriber_signup,
    subscriber_unsubscribe,
)
from lmsa_portal.abuse import public_form_ratelimit_class
from lmsa_portal.http import redirect_to_next
from lmsa_portal.signing import signed_link_view
from lmsa_portal.text import render_markdown
from members.access import active_member_required, is_active_member


def masked_email(email: str) -> str:
    """Enough of an address to recognise it, not enough to harvest it."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


@method_decorator(never_cache, name="dispatch")
@public_form_ratelimit_class(ip_rate="10/m", email_field="email", email_rate="3/h")
class SignupView(FormView):
    """Join the listserv (public); answers the same whether or not the address is
    already on the list."""

    template_name = "listserv/signup.html"
    form_class = SignupForm
    success_url = reverse_lazy("listserv:signup-done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            context["member_subscriber"] = subscriber_for_user(user)
            context["member_can_subscribe"] = has_verified_email(user)
        return context

    def form_valid(self, form):
        if form.is_bot():
            return redirect(self.get_success_url())
        data = form.cleaned_data
        subscriber_signup(
            email=data["email"],
            interests=data["interests"],
            base_url=self.request.build_absolute_uri("/"),
            name=data["name"],
            role=data["role"],
            institution=data["institution"],
            specialty=data["specialty"],
            state=data["state"],
            region=data["region"],
        )
        return redirect(self.get_success_url())


class SignupDoneView(TemplateView):
    """ "Check your inbox", the same for every sign-up."""

    template_name = "listserv/signup_done.html"


@require_http_methods(["GET", "POST"])
@signed_link_view(CONFIRM_LINK)
def confirm(
    request: HttpRequest, subscriber: Subscriber, *, token: str
) -> HttpResponse:
    """Double opt-in: the link shows a button (mail scanners only GET), the POST
    confirms."""
    if request.method == "POST":
        subscriber = subscriber_confirm(subscriber=subscriber)
        return render(
            request,
            "listserv/confirmed.html",
            {
                "preferences_url": reverse(
                    "listserv:preferences", args=[MANAGE_LINK.token(subscriber.pk)]
                )
            },
        )
    return render(
        request,
        "listserv/confirm.html",
        {"masked_email": masked_email(subscriber.email), "subscriber": subscriber},
    )


@csrf_exempt  # RFC 8058: mail clients POST with no session and no CSRF token
@require_http_methods(["GET", "POST"])
@signed_link_view(MANAGE_LINK)
def unsubscribe(
    request: HttpRequest, subscriber: Subscriber, *, token: str
) -> HttpResponse:
    """GET: one button. POST: unsubscribed at once, idempotent (one-click)."""
    preferences_url = reverse("listserv:preferences", args=[token])
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        return render(
            request,
            "listserv/unsubscribed.html",
            {"preferences_url": preferences_url},
        )
    return render(
        request,
        "listserv/unsubscribe.html",
        {
            "masked_email": masked_email(subscriber.email),
            "subscriber": subscriber,
            "preferences_url": preferences_url,
        },
    )


@require_http_methods(["GET", "POST"])
@signed_link_view(MANAGE_LINK)
def preferences(
    request: HttpRequest, subscriber: Subscriber, *, token: str
) -> HttpResponse:
    """Change role, interests and frequency, or come back, from the signed link."""
    if request.method == "POST" and request.POST.get("action") == "resubscribe":
        subscriber_resubscribe(subscriber=subscriber)
        messages.success(request, _("Welcome back: you are subscribed again."))
        return redirect("listserv:preferences", token=token)
    form = PreferencesForm(request.POST or None, instance=subscriber)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("listserv:preferences", token=token)
    return render(
        request,
        "listserv/preferences.html",
        {
            "form": form,
            "subscriber": subscriber,
            "masked_email": masked_email(subscriber.email),
            "unsubscribe_url": reverse("listserv:unsubscribe", args=[token]),
            "is_unsubscribed": subscriber.status == Subscriber.Status.UNSUBSCRIBED,
        },
    )


@login_required
@require_POST
def member_subscribe_view(request: HttpRequest) -> HttpResponse:
    """A signed-in person with a verified email joins in one click."""
    if not has_verified_email(request.user):
        messages.error(
            request,
            _(
                "Please confirm your email address first; "
                "then you can join in one click."
            ),
        )
        return redirect_to_next(request)
    member_subscribe(user=request.user)
    messages.success(
        request, _("You are subscribed to the National Mentorship Listserv.")
    )
    return redirect_to_next(request)


# ------------------------------------------------------------------------------
# Archive of past mailings
# ------------------------------------------------------------------------------
def _archive_for(user):
    """Mailings that went out and that ``user`` may read in the archive: the
    public ones, and the members-only ones for active members (the access rule
    of ``members/access.py``)."""
    visible = [Mailing.Archive.PUBLIC]
    if is_active_member(user):
        visible.append(Mailing.Archive.MEMBERS)
    return Mailing.objects.filter(
        status__in=[Mailing.Status.SENDING, Mailing.Status.SENT],
        archive__in=visible,
    )


@require_http_methods(["GET", "HEAD"])
def archive(request: HttpRequest) -> HttpResponse:
    """Past mailings, newest first: everyone sees the public ones, active
    members also the members-only ones."""
    mailings = (
        _archive_for(request.user)
        .only("pk", "subject", "started_at", "archive")
        .order_by("-started_at", "-pk")[:200]
    )
    is_member = is_active_member(request.user)
    response = render(
        request,
        "listserv/archive.html",
        {"mailings": mailings, "is_member": is_member},
    )
    if is_member:
        add_never_cache_headers(response)  # lists members-only subjects
    return response


@require_http_methods(["GET", "HEAD"])
def archive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One past mailing as it went out (without anyone's personal links). A
    members-only one applies the access rule: login for visitors, the
    "membership not active" page for the rest."""
    mailing = get_object_or_404(
        Mailing.objects.filter(
            status__in=[Mailing.Status.SENDING, Mailing.Status.SENT]
        ).exclude(archive=Mailing.Archive.HIDDEN),
        pk=pk,
    )
    if mailing.archive == Mailing.Archive.MEMBERS:
        return active_member_required(_render_archive_detail)(request, mailing)
    return _render_archive_detail(request, mailing)


def _render_archive_detail(request: HttpRequest, mailing: Mailing) -> HttpResponse:
    return render(
        request,
        "listserv/archive_detail.html",
        {
            "mailing": mailing,
            "body_html": mark_safe(render_markdown(mailing.body_markdown)),  # noqa: S308 - nh3
        },
    )
