"""Public archive, video pages, and members' questions for upcoming sessions."""

import icalendar
from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import DetailView
from django_filters.views import FilterView

from ama.filters import VideoFilter
from ama.forms import QuestionForm
from ama.models import (
    AnnouncementSubscription,
    Chapter,
    Panelist,
    Question,
    QuestionVote,
    UpcomingSession,
    Video,
)
from ama.services import (
    QuestionsClosed,
    question_submit,
    question_vote,
    question_withdraw_vote,
)
from lmsa_portal.http import redirect_to_next
from lmsa_portal.pagination import PortalPaginator
from lmsa_portal.text import markdown_to_text
from members.access import active_member_required, is_active_member
from residency_hub import ics


class ArchiveView(FilterView):
    """Every published session, newest first, with filters and search."""

    filterset_class = VideoFilter
    template_name = "ama/video_list.html"
    context_object_name = "videos"
    paginate_by = 12
    paginator_class = PortalPaginator
    # A bad filter value (unknown topic, year) is left out and shows the form
    # error, not a 500.
    strict = False

    def get_queryset(self):
        return Video.objects.published().for_listing().order_by("-date", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upcoming_sessions"] = UpcomingSession.objects.upcoming()[:3]
        context["is_filtered"] = any(
            self.request.GET.get(name) for name in self.filterset.filters
        )
        return context


class VideoDetailView(DetailView):
    """One session: the player, chapters, panelists, summary and transcript."""

    template_name = "ama/video_detail.html"
    context_object_name = "video"

    def get_queryset(self):
        # Staff preview drafts (admin "View on site"); everyone else sees published.
        videos = (
            Video.objects.all()
            if self.request.user.is_staff
            else Video.objects.published()
        )
        return videos.select_related("specialty").prefetch_related(
            "topics",
            # With their registry listings: the page links a live one.
            Prefetch("panelists", queryset=Panelist.objects.select_related("mentor")),
            Prefetch("chapters", queryset=Chapter.objects.order_by("start_seconds")),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        video = self.object
        embed = video.embed
        chapters = list(video.chapters.all())
        for chapter in chapters:
            chapter.link = (
                embed.watch_url_at(chapter.start_seconds) if embed else video.video_url
            )
        context.update(
            embed=embed,
            chapters=chapters,
            answered_questions=Question.objects.filter(
                answered_chapter__video=video, status=Question.Status.ANSWERED
            )
            .select_related("answered_chapter")
            .order_by("answered_chapter__start_seconds", "pk"),
        )
        return context


def _session_page_context(request: HttpRequest, session: UpcomingSession) -> dict:
    user = request.user
    member = is_active_member(user)
    questions = (
        session.questions.public().by_votes().select_related("answered_chapter__video")
    )
    if member:
        questions = questions.annotate(
            voted=Exists(
                QuestionVote.objects.filter(question=OuterRef("pk"), user=user)
            )
        )
    questions = list(questions)
    own_pending = (
        list(
            session.questions.filter(
                author=user, status=Question.Status.PENDING
            ).order_by("created_at")
        )
        if member
        else []
    )
    return {
        "session": session,
        "approved_questions": [
            q for q in questions if q.status == Question.Status.APPROVED
        ],
        "answered_questions": [
            q for q in questions if q.status == Question.Status.ANSWERED
        ],
        "own_pending": own_pending,
    }


def _visible_sessions(request: HttpRequest):
    """Published sessions; staff also see drafts (to check them before publishing)."""
    sessions = UpcomingSession.objects.select_related("archived_video")
    return sessions if request.user.is_staff else sessions.published()


def upcoming_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An announced session: when and where, and the questions members sent."""
    session = get_object_or_404(_visible_sessions(request), pk=pk)
    context = _session_page_context(request, session)
    if request.user.is_authenticated:
        context["wants_announcements"] = AnnouncementSubscription.objects.filter(
            user=request.user
        ).exists()
    if is_active_member(request.user) and session.accepts_questions:
        context["form"] = QuestionForm(session=session, author=request.user)
    # Shows a member's own pending questions and votes: lmsa_portal.limits'
    # NeverCacheForUsersMiddleware marks every signed-in response no-store.
    return render(request, "ama/upcomingsession_detail.html", context)


@require_http_methods(["GET", "POST"])
@active_member_required
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    """An active member sends a question; it appears once staff approve it."""
    session = get_object_or_404(UpcomingSession.objects.published(), pk=pk)
    if request.method == "GET":
        return redirect(session)
    if not session.accepts_questions:
        messages.error(request, _("Questions for this session are closed."))
        return redirect(session)
    form = QuestionForm(request.POST, session=session, author=request.user)
    if form.is_valid():
        try:
            question_submit(
                session=session, author=request.user, text=form.cleaned_data["text"]
            )
        except QuestionsClosed:
            messages.error(request, _("Questions for this session are closed."))
            return redirect(session)
        messages.success(
            request,
            _("Thank you! Your question will appear here once staff have reviewed it."),
        )
        return redirect(session)
    context = _session_page_context(request, session)
    context["form"] = form
    return render(request, "ama/upcomingsession_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@active_member_required
def question_vote_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Upvote a question or withdraw the vote (one vote per member)."""
    question = get_object_or_404(
        Question.objects.public().select_related("session"), pk=pk
    )
    session = question.session
    if request.method == "GET":
        return redirect(session)
    action = request.POST.get("action", "")
    if action not in ("vote", "withdraw"):
        has_vote = QuestionVote.objects.filter(
            question=question, user=request.user
        ).exists()
        action = "withdraw" if has_vote else "vote"
    try:
        if action == "vote":
            question_vote(question=question, user=request.user)
            messages.success(request, _("Your vote was counted."))
        else:
            question_withdraw_vote(question=question, user=request.user)
            messages.success(request, _("Your vote was withdrawn."))
    except QuestionsClosed:
        messages.error(request, _("Voting for this session is closed."))
    return redirect(f"{session.get_absolute_url()}#question-{question.pk}")


def upcoming_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """A published session as an .ics file ("add to calendar"); sessions are public."""
    session = get_object_or_404(UpcomingSession.objects.published(), pk=pk)
    page_url = request.build_absolute_uri(session.get_absolute_url())
    event = icalendar.Event()
    event.add("uid", f"ama-session-{session.pk}@{ics.uid_domain()}")
    event.add("dtstamp", session.created_at or timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"LMSA Ask Me Anything: {session.title}")
    details = [markdown_to_text(session.description)] if session.description else []
    details.append(f"Where to watch: {session.where_to_watch} {session.watch_url}")
    details.append(f"Send your questions: {page_url}")
    event.add("description", "\n\n".join(details).strip())
    event.add("url", session.watch_url or page_url)
    event.add("location", session.watch_url or session.where_to_watch)
    calendar = ics.calendar_of([event], name=session.title)
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ama-{session.pk}.ics"'
    return response


@require_POST
@active_member_required
def announcements_toggle(request: HttpRequest) -> HttpResponse:
    """Start or stop the emails about new AMA sessions (account page, session page)."""
    if request.POST.get("subscribe") == "1":
        AnnouncementSubscription.objects.get_or_create(user=request.user)
        messages.success(
            request, _("We will email you when a new Ask Me Anything session is set.")
        )
    else:
        AnnouncementSubscription.objects.filter(user=request.user).delete()
        messages.success(
            request, _("You will no longer get emails about new AMA sessions.")
        )
    return redirect_to_next(request)
