"""Atom feed of newly published AMA sessions."""

from hashlib import md5

from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ama.models import UpcomingSession, Video
from lmsa_portal.text import render_markdown


def feed_etag(request: HttpRequest) -> str:
    """Changes with any published session (added, edited, unpublished), the
    language and the host the links are built from: feed readers polling an
    unchanged feed get a 304 from one query."""
    published = Video.objects.published().aggregate(
        count=Count("pk"), changed=Max("updated_at")
    )
    state = f"{published}-{get_language()}-{request.get_host()}"
    return md5(state.encode(), usedforsecurity=False).hexdigest()


class LatestVideosFeed(Feed):
    feed_type = Atom1Feed
    title = _("LMSA Ask Me Anything sessions")
    subtitle = _(
        "New recordings of the LMSA Ask Me Anything series for premed and "
        "medical students."
    )
    author_name = _("Latino Medical Student Association")

    # Links are built from the request, not from django.contrib.sites, so the feed
    # names the host people actually use.
    def get_object(self, request, *args, **kwargs) -> HttpRequest:
        return request

    def link(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("ama:archive"))

    def feed_url(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("ama:feed"))

    def items(self, request: HttpRequest) -> list[Video]:
        videos = list(
            Video.objects.published()
            .prefetch_related("topics")
            .order_by("-published_at", "-pk")[:30]
        )
        for video in videos:
            video.absolute_url = request.build_absolute_uri(video.get_absolute_url())
        return videos

    def item_link(self, item: Video) -> str:
        return item.absolute_url

    def item_title(self, item: Video) -> str:
        return item.title

    def item_description(self, item: Video) -> str:
        text = strip_tags(render_markdown(item.summary or item.description))
        return Truncator(" ".join(text.split())).words(80)

    def item_pubdate(self, item: Video):
        return item.published_at

    def item_updateddate(self, item: Video):
        return item.updated_at

    def item_categories(self, item: Video) -> list[str]:
        return [topic.localized_name for topic in item.topics.all()]


class UpcomingSessionsFeed(LatestVideosFeed):
    """Sessions announced and not held yet, soonest first."""

    title = _("Upcoming LMSA Ask Me Anything sessions")
    subtitle = _("Sessions coming up, where you can send questions before they start.")

    def feed_url(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("ama:upcoming-feed"))

    def items(self, request: HttpRequest) -> list[UpcomingSession]:
        sessions = list(UpcomingSession.objects.upcoming().order_by("starts_at")[:30])
        for session in sessions:
            session.absolute_url = request.build_absolute_uri(
                session.get_absolute_url()
            )
        return sessions

    def item_title(self, item: UpcomingSession) -> str:
        when = date_format(timezone.localtime(item.starts_at), "DATETIME_FORMAT")
        return _("Upcoming: %(title)s (%(when)s)") % {"title": item.title, "when": when}

    def item_description(self, item: UpcomingSession) -> str:
        text = strip_tags(render_markdown(item.description))
        return Truncator(" ".join(text.split())).words(80)

    def item_pubdate(self, item: UpcomingSession):
        return item.announced_at or item.created_at

    def item_updateddate(self, item: UpcomingSession):
        return item.announced_at or item.created_at

    def item_categories(self, item: UpcomingSession) -> list[str]:
        return [str(_("Upcoming session"))]
