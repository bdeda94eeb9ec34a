"""Pages of the mentor registry.

Public: sign-up, "forward this form", request a fresh link, and the pages behind
signed links (manage, still mentoring). Members only: directory and detail, the
only pages that ever show a mentor's contact details.
"""

from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit

from lmsa_portal.abuse import public_form_ratelimit_class
from lmsa_portal.pagination import PortalPaginator
from members.access import ActiveMemberRequiredMixin, active_member_required
from members.models import Membership
from mentors import services
from mentors.filters import MentorFilter
from mentors.forms import (
    MentorEditForm,
    MentorshipRequestForm,
    MentorSignupForm,
    PauseForm,
    RemoveForm,
    RequestDeclineForm,
    RequestLinkForm,
    about_member,
)
from mentors.models import Mentor, MentorshipRequest


class MentorDirectoryView(ActiveMemberRequiredMixin, FilterView):
    """The directory: live listings, filtered, searched, sorted and paginated."""

    model = Mentor
    filterset_class = MentorFilter
    template_name = "mentors/mentor_list.html"
    context_object_name = "mentors"
    paginate_by = 20
    paginator_class = PortalPaginator
    # An invalid filter value is left out and shown as a field error (and said at
    # the top of the results), never a 500 or an empty page.
    strict = False

    def get_queryset(self):
        return Mentor.objects.visible_to(self.request.user).for_directory()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["result_count"] = context["paginator"].count
        context["filtered"] = any(
            value
            for key, value in self.request.GET.items()
            if key not in ("page", "sort")
        )
        return context


class MentorDetailView(ActiveMemberRequiredMixin, DetailView):
    """One mentor's full listing."""

    model = Mentor
    template_name = "mentors/mentor_detail.html"
    context_object_name = "mentor"

    def get_queryset(self):
        return Mentor.objects.visible_to(self.request.user).for_directory()


@method_decorator(never_cache, name="dispatch")
@public_form_ratelimit_class(
    ip_rate=settings.MENTOR_SIGNUP_IP_RATE,
    email_field="email",
    email_rate=settings.MENTOR_SIGNUP_EMAIL_RATE,
)
class MentorSignupView(FormView):
    """Public sign-up for physicians; signed-in users get their name prefilled."""

    form_class = MentorSignupForm
    template_name = "mentors/mentor_form.html"

    def get_initial(self):
        initial = super().get_initial()
        user = self.request.user
        if user.is_authenticated:
            initial.update(
                first_name=user.first_name, last_name=user.last_name, email=user.email
            )
            membership = getattr(user, "membership", None)
            if (
                membership is not None
                and membership.member_type == Membership.MemberType.PHYSICIAN
                and membership.institution
            ):
                initial["institution"] = membership.institution
        return initial

    def form_valid(self, form):
        if not form.is_bot():
            services.mentor_submit(
                fields=form.listing_fields(),
                languages=list(form.cleaned_data["languages"]),
                user=self.request.user,
                request=self.request,
            )
        # The same page whatever happened: it never tells whether an address is
        # listed already, and bots learn nothing.
        return redirect("mentors:thanks")


def signup_thanks(request: HttpRequest) -> HttpResponse:
    """What happens next after a sign-up."""
    return render(request, "mentors/signup_thanks.html")


def share(request: HttpRequest) -> HttpResponse:
    """Forward this form: a copyable link to the sign-up for colleagues."""
    return render(
        request,
        "mentors/share.html",
        {"join_url": request.build_absolute_uri(reverse("mentors:join"))},
    )


# ------------------------------------------------------------------------------
# Signed links
# ------------------------------------------------------------------------------
def _link_problem(request: HttpRequest, problem: str) -> HttpResponse:
    """A friendly page for a bad, expired or spent link (and how to get a new one)."""
    status = HTTPStatus.GONE if problem == "removed" else HTTPStatus.BAD_REQUEST
    return render(
        request, "mentors/link_problem.html", {"problem": problem}, status=status
    )


def _mentor_for_link(request, token: str, purpose: str, max_age: int):
    """(mentor, None) for a usable link, or (None, error response)."""
    try:
        mentor = services.mentor_from_token(
            purpose=purpose, token=token, max_age_seconds=max_age
        )
    except signing.SignatureExpired:
        return None, _link_problem(request, "expired")
    except (signing.BadSignature, Mentor.DoesNotExist):
        return None, _link_problem(request, "invalid")
    if mentor.status == Mentor.Status.REMOVED:
        return None, _link_problem(request, "removed")
    if mentor.status == Mentor.Status.DECLINED:
        return None, _link_problem(request, "declined")
    return mentor, None


def _manage_mentor(request, token):
    return _mentor_for_link(
        request, token, services.MANAGE_PURPOSE, services.manage_link_max_age()
    )


def _render_manage(request, mentor, token, *, form=None, pause_form=None, status=200):
    return render(
        request,
        "mentors/manage.html",
        {
            "mentor": mentor,
            "token": token,
            "form": form or MentorEditForm(instance=mentor),
            "pause_form": pause_form or PauseForm(),
            "is_paused": mentor.is_paused(),
        },
        status=status,
    )


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Self-service through the signed link: edit the listing."""
    mentor, problem = _manage_mentor(request, token)
    if problem:
        return problem
    if request.method == "POST":
        form = MentorEditForm(request.POST, instance=mentor)
        if form.is_valid():
            # Validation wrote the typed values onto the instance: start from
            # what is stored, so the update sees (and tells staff) what changed.
            mentor.refresh_from_db()
            services.mentor_update(
                mentor=mentor,
                fields=form.listing_fields(),
                languages=list(form.cleaned_data["languages"]),
                request=request,
            )
            messages.success(request, _("Your listing was saved."))
            if mentor.pending_email:
                messages.info(
                    request,
                    _(
                        "We sent a link to %(email)s. Your listing keeps its "
                        "current address until you open it."
                    )
                    % {"email": mentor.pending_email},
                )
            return redirect("mentors:manage", token=token)
        # Show the listing as stored next to the form that keeps what was typed.
        mentor.refresh_from_db()
        return _render_manage(
            request, mentor, token, form=form, status=HTTPStatus.BAD_REQUEST
        )
    return _render_manage(request, mentor, token)


@never_cache
def manage_pause(request: HttpRequest, token: str) -> HttpResponse:
    """Pause the listing until a date, or resume it now."""
    mentor, problem = _manage_mentor(request, token)
    if problem:
        return problem
    if request.method != "POST":
        return redirect("mentors:manage", token=token)
    if "resume" in request.POST:
        services.mentor_resume(mentor=mentor)
        messages.success(request, _("Your listing is visible again."))
        return redirect("mentors:manage", token=token)
    pause_form = PauseForm(request.POST)
    if not pause_form.is_valid():
        return _render_manage(
            request, mentor, token, pause_form=pause_form, status=HTTPStatus.BAD_REQUEST
        )
    services.mentor_pause(mentor=mentor, until=pause_form.cleaned_data["paused_until"])
    messages.success(request, _("Your listing is paused."))
    return redirect("mentors:manage", token=token)


@never_cache
def manage_remove(request: HttpRequest, token: str) -> HttpResponse:
    """Remove the listing for good, after a confirmation."""
    mentor, problem = _manage_mentor(request, token)
    if problem:
        return problem
    status = HTTPStatus.OK
    if request.method == "POST":
        form = RemoveForm(request.POST)
        if form.is_valid():
            services.mentor_remove(mentor=mentor, request=request)
            return render(request, "mentors/removed.html")
        status = HTTPStatus.BAD_REQUEST
    else:
        form = RemoveForm()
    return render(
        request,
        "mentors/remove_confirm.html",
        {"mentor": mentor, "token": token, "form": form},
        status=status,
    )


@never_cache
def still_mentoring(request: HttpRequest, token: str) -> HttpResponse:
    """The reconfirmation link: one button keeps the listing in the directory.

    Opening the link changes nothing: mail scanners open links on their own, and a
    listing must stay current only when the physician says so.
    """
    mentor, problem = _mentor_for_link(
        request,
        token,
        services.STILL_MENTORING_PURPOSE,
        services.still_mentoring_link_max_age(),
    )
    if problem:
        return problem
    confirmed = False
    if request.method == "POST":
        services.mentor_confirm_still_mentoring(mentor=mentor)
        confirmed = True
    return render(
        request,
        "mentors/still_mentoring.html",
        {
            "mentor": mentor,
            "confirmed": confirmed,
            "manage_url": services.mentor_manage_url(mentor=mentor, request=request),
        },
    )


@never_cache
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: one button makes it the listing's own
    (opening the link changes nothing: mail scanners open links too)."""
    mentor, problem = _mentor_for_link(
        request,
        token,
        services.EMAIL_CHANGE_PURPOSE,
        services.manage_link_max_age(),
    )
    if problem:
        return problem
    context = {"mentor": mentor, "new_email": mentor.pending_email}
    if request.method == "POST":
        if not services.mentor_confirm_email(mentor=mentor):
            context["taken"] = True
            return render(
                request,
                "mentors/email_confirm.html",
                context,
                status=HTTPStatus.CONFLICT,
            )
        messages.success(
            request,
            _("Your listing now uses %(email)s.") % {"email": context["new_email"]},
        )
        return redirect("mentors:manage", token=services.manage_token(mentor=mentor))
    return render(request, "mentors/email_confirm.html", context)


@method_decorator(never_cache, name="dispatch")
@public_form_ratelimit_class(
    ip_rate=settings.MENTOR_LINK_IP_RATE,
    email_field="email",
    email_rate=settings.MENTOR_LINK_EMAIL_RATE,
)
class RequestLinkView(FormView):
    """Request a fresh self-service link; the answer never says if an email is known."""

    form_class = RequestLinkForm
    template_name = "mentors/request_link.html"

    def form_valid(self, form):
        if not form.is_bot():
            services.mentor_send_manage_links(
                email=form.cleaned_data["email"], request=self.request
            )
        return render(self.request, "mentors/request_link_sent.html")


# ------------------------------------------------------------------------------
# Mentorship requests
# ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@active_member_required
@ratelimit(key="user", rate="10/h", method="POST", block=True)
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    """An active member asks a mentor to mentor them (the mentor answers by email)."""
    mentor = get_object_or_404(
        Mentor.objects.visible_to(request.user).for_directory(), pk=pk
    )
    if request.method == "POST":
        form = MentorshipRequestForm(request.POST)
        if form.is_valid():
            try:
                services.mentorship_request_create(
                    mentor=mentor, member=request.user, fields=form.cleaned_data
                )
            except services.RequestRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your request is on its way to %(name)s. You will hear back "
                        "by email; its state is on your account page."
                    )
                    % {"name": mentor.full_name},
                )
                return redirect("members:me")
        status = HTTPStatus.BAD_REQUEST
    else:
        form = MentorshipRequestForm(initial={"about_me": about_member(request.user)})
        status = HTTPStatus.OK
    return render(
        request, "mentors/ask.html", {"mentor": mentor, "form": form}, status=status
    )


@never_cache
def request_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The mentor's one-click answer from the email: opening the link shows one
    button (mail scanners open links too); pressing it answers, once."""
    try:
        mentorship_request, answer = services.request_from_token(token)
    except signing.SignatureExpired:
        return _link_problem(request, "expired")
    except signing.BadSignature:
        return _link_problem(request, "invalid")
    except MentorshipRequest.DoesNotExist:
        # Its member deleted their account: for the mentor, it was withdrawn.
        return render(request, "mentors/request_answer.html", {"gone": True})
    form = RequestDeclineForm(request.POST if request.method == "POST" else None)
    answered = False
    if request.method == "POST" and form.is_valid():
        answered = services.mentorship_request_answer(
            mentorship_request=mentorship_request,
            answer=answer,
            note=form.cleaned_data["note"],
        )
        mentorship_request.refresh_from_db()
        if not answered:
            messages.info(request, _("This request was already answered or withdrawn."))
    return render(
        request,
        "mentors/request_answer.html",
        {
            "mentorship_request": mentorship_request,
            "answer": answer,
            "form": form,
            "done": mentorship_request.status != MentorshipRequest.Status.OPEN,
        },
    )


@require_POST
@login_required
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    mentorship_request = get_object_or_404(
        MentorshipRequest, pk=pk, member=request.user
    )
    if services.mentorship_request_withdraw(mentorship_request=mentorship_request):
        messages.success(request, _("Your request was withdrawn."))
    return redirect("members:me")
