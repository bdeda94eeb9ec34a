"""Pages of the mentor registry.

Public: sign-up, "forward this form", request a fresh link, and the pages behind
signed links (manage, still mentoring). Members only: directory and detail, the
only pages that ever show a mentor's contact details.
"""

from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit

from lmsa_portal.abuse import public_form_ratelimit_class
from lmsa_portal.pagination import PortalPaginator
from lmsa_portal.signing import signed_link_view
from members.access import ActiveMemberRequiredMixin, active_member_required
from members.models import Membership
from mentors import services
from mentors.filters import MentorFilter, saved_search_query
from mentors.forms import (
    MentorEditForm,
    MentorLoadForm,
    MentorshipRequestForm,
    MentorSignupForm,
    PauseForm,
    RemoveForm,
    RequestDeclineForm,
    RequestLinkForm,
    SavedSearchForm,
    about_member,
)
from mentors.models import Mentor, MentorshipRequest, SavedSearch


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
        context["save_form"] = SavedSearchForm(
            initial={"query": self.request.GET.urlencode()}, member=self.request.user
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
MANAGE_PAGE_REQUESTS = 50


def _mentor_requests(mentor):
    """The listing's latest requests for its own page: who (name, member type,
    school; never the address), when, state, and the answer links of open ones."""
    rows = []
    latest = mentor.requests.select_related("member__membership").order_by(
        "-created_at"
    )[:MANAGE_PAGE_REQUESTS]
    for mentorship_request in latest:
        membership = getattr(mentorship_request.member, "membership", None)
        answers = {}
        if mentorship_request.status == MentorshipRequest.Status.OPEN:
            answers = {
                answer: services.request_answer_url(
                    mentorship_request=mentorship_request, answer=answer
                )
                for answer in ("accept", "decline")
            }
        rows.append(
            {
                "request": mentorship_request,
                "name": mentorship_request.member.get_full_name()
                or _("An LMSA member"),
                "member_type": membership.get_member_type_display()
                if membership and membership.member_type
                else "",
                "school": membership.institution if membership else "",
                "answers": answers,
            }
        )
    return rows


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
            "mentorship_requests": _mentor_requests(mentor),
        },
        status=status,
    )


@signed_link_view(services.MANAGE_LINK)
def manage(request: HttpRequest, mentor: Mentor, *, token: str) -> HttpResponse:
    """Self-service through the signed link: edit the listing."""
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


@signed_link_view(services.MANAGE_LINK)
def manage_pause(request: HttpRequest, mentor: Mentor, *, token: str) -> HttpResponse:
    """Pause the listing until a date, or resume it now."""
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


@signed_link_view(services.MANAGE_LINK)
def manage_remove(request: HttpRequest, mentor: Mentor, *, token: str) -> HttpResponse:
    """Remove the listing for good, after a confirmation."""
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


@signed_link_view(services.STILL_MENTORING_LINK)
def still_mentoring(
    request: HttpRequest, mentor: Mentor, *, token: str
) -> HttpResponse:
    """The reconfirmation link: one button keeps the listing in the directory.

    Opening the link changes nothing: mail scanners open links on their own, and a
    listing must stay current only when the physician says so.
    """
    confirmed = False
    status = HTTPStatus.OK
    if request.method == "POST":
        form = MentorLoadForm(request.POST, instance=mentor)
        if form.is_valid():
            services.mentor_confirm_still_mentoring(
                mentor=mentor,
                capacity=form.cleaned_data["capacity"],
                accepting_mentees=form.cleaned_data["accepting_mentees"],
            )
            confirmed = True
        else:
            status = HTTPStatus.BAD_REQUEST
    else:
        form = MentorLoadForm(instance=mentor)
    return render(
        request,
        "mentors/still_mentoring.html",
        {
            "mentor": mentor,
            "form": form,
            "confirmed": confirmed,
            "manage_url": services.mentor_manage_url(mentor=mentor, request=request),
        },
        status=status,
    )


@signed_link_view(services.EMAIL_CHANGE_LINK)
def email_confirm(request: HttpRequest, mentor: Mentor, *, token: str) -> HttpResponse:
    """The link sent to a new address: one button makes it the listing's own
    (opening the link changes nothing: mail scanners open links too)."""
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
        return redirect("mentors:manage", token=services.MANAGE_LINK.token(mentor))
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
@ratelimit(key="user", rate=settings.MENTOR_REQUEST_RATE, method="POST", block=True)
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


@signed_link_view(services.REQUEST_ANSWER_LINK)
def request_answer(
    request: HttpRequest, request_and_answer: tuple, *, token: str
) -> HttpResponse:
    """The mentor's one-click answer from the email: opening the link shows one
    button (mail scanners open links too); pressing it answers, once."""
    mentorship_request, answer = request_and_answer
    if mentorship_request is None:
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
        closed = mentorship_request.status == MentorshipRequest.Status.UNANSWERED
        if not answered and not closed:
            messages.info(request, _("This request was already answered or withdrawn."))
    return render(
        request,
        "mentors/request_answer.html",
        {
            "mentorship_request": mentorship_request,
            "answer": answer,
            "form": form,
            "done": mentorship_request.status != MentorshipRequest.Status.OPEN,
            "unanswered_days": settings.MENTOR_REQUEST_UNANSWERED_AFTER_DAYS,
        },
    )


@signed_link_view(services.REQUEST_FOLLOWUP_LINK)
def request_followup(request: HttpRequest, link, *, token: str) -> HttpResponse:
    """The member's "did you connect?" link: opening it shows one button (mail
    scanners open all three links of the email); pressing it records the answer,
    which a later press of another link replaces."""
    mentorship_request, outcome = link
    recorded = False
    if request.method == "POST":
        services.mentorship_request_record_outcome(
            mentorship_request=mentorship_request, outcome=outcome
        )
        mentorship_request.refresh_from_db()
        recorded = mentorship_request.outcome == outcome
    return render(
        request,
        "mentors/request_followup.html",
        {
            "mentorship_request": mentorship_request,
            "outcome": outcome,
            "outcome_label": MentorshipRequest.Outcome(outcome).label,
            "recorded": recorded,
            "directory_url": reverse("mentors:directory"),
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


# ------------------------------------------------------------------------------
# Saved searches
# ------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@active_member_required
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """Save the directory's current filters with a name (the directory posts
    here; GET shows the same form for the filters in its query string)."""
    if request.method == "POST":
        form = SavedSearchForm(request.POST, member=request.user)
        if form.is_valid():
            # get_or_create: a double submit (two tabs) finds the first one.
            saved_search, created = SavedSearch.objects.get_or_create(
                member=request.user,
                query=form.cleaned_data["query"],
                defaults={"name": form.cleaned_data["name"]},
            )
            if not created:
                messages.info(
                    request,
                    _("You already saved these filters as “%(name)s”.")
                    % {"name": saved_search.name},
                )
                return redirect(saved_search.directory_url)
            messages.success(
                request,
                _(
                    "Search saved as “%(name)s”. Each week we email you the new "
                    "mentors who match it; your saved searches are on your "
                    "account page."
                )
                % {"name": saved_search.name},
            )
            return redirect(saved_search.directory_url)
        status = HTTPStatus.BAD_REQUEST
    else:
        form = SavedSearchForm(
            initial={"query": request.GET.urlencode()}, member=request.user
        )
        form.filter_errors = saved_search_query(request.GET)[1]
        status = HTTPStatus.OK
    return render(
        request,
        "mentors/savedsearch_form.html",
        {
            "form": form,
            "directory_url": reverse("mentors:directory")
            + ("?" + form["query"].value() if form["query"].value() else ""),
        },
        status=status,
    )


@require_POST
@login_required
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the member's saved searches (and its weekly email)."""
    saved_search = get_object_or_404(SavedSearch, pk=pk, member=request.user)
    saved_search.delete()
    messages.success(
        request,
        _("The saved search “%(name)s” was deleted.") % {"name": saved_search.name},
    )
    return redirect("members:me")


@require_POST
@login_required
def saved_search_alerts(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn a saved search's weekly email on or off from the account page."""
    saved_search = get_object_or_404(SavedSearch, pk=pk, member=request.user)
    saved_search.alerts = request.POST.get("alerts") == "on"
    saved_search.save(update_fields=["alerts"])
    if saved_search.alerts:
        messages.success(request, _("The weekly email for this search is on."))
    else:
        messages.success(request, _("The weekly email for this search is off."))
    return redirect("members:me")


@csrf_exempt  # RFC 8058: mail clients POST with no session and no CSRF token
@require_http_methods(["GET", "POST"])
@signed_link_view(services.SAVED_SEARCH_UNSUBSCRIBE_LINK)
def saved_search_unsubscribe(
    request: HttpRequest, saved_search, *, token: str
) -> HttpResponse:
    """The alert's unsubscribe link: GET shows one button (mail scanners open
    links), POST stops that search's weekly email (no login needed)."""
    template = "mentors/saved_search_unsubscribe.html"
    stopped = request.method == "POST"
    if stopped:
        services.saved_search_stop_alerts(saved_search=saved_search)
    return render(request, template, {"saved_search": saved_search, "stopped": stopped})
