"""Recognise Facebook and YouTube video links and build their official embeds.

Only links whose host is exactly one of the known Facebook/YouTube hosts and whose
path matches a known video form are embeddable; everything else is refused, so a
staff member cannot put an arbitrary page inside an iframe on the portal. The
embed URL is rebuilt from the parts we validated (a YouTube id, a Facebook video
address), never copied from the input.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

YOUTUBE = "youtube"
FACEBOOK = "facebook"

YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
YOUTUBE_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}
FACEBOOK_HOSTS = {
    "facebook.com",
    "www.facebook.com",
    "m.facebook.com",
    "web.facebook.com",
}
FACEBOOK_SHORT_HOSTS = {"fb.watch", "www.fb.watch"}

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH = re.compile(r"^/(?:embed|live|shorts|v)/([A-Za-z0-9_-]{11})/?$")
_FACEBOOK_ID = re.compile(r"^[0-9]{5,25}$")
# /<page>/videos/<id>/ and /<page>/videos/<title-slug>/<id>/
_FACEBOOK_VIDEOS_PATH = re.compile(
    r"^/([A-Za-z0-9.\-_]{1,100})/videos/(?:[A-Za-z0-9.\-_%]{1,200}/)?([0-9]{5,25})/?$"
)
_FB_WATCH_PATH = re.compile(r"^/([A-Za-z0-9_-]{4,30})/?$")

FACEBOOK_PLUGIN_URL = "https://www.facebook.com/plugins/video.php"
YOUTUBE_EMBED_URL = "https://www.youtube-nocookie.com/embed/"


@dataclass(frozen=True)
class VideoEmbed:
    """A recognised video: where to embed it and where to watch it."""

    provider: str  # YOUTUBE or FACEBOOK
    video_id: str  # the YouTube id, or the Facebook video number / fb.watch code
    watch_url: str  # canonical link on the provider's own site

    @property
    def provider_label(self) -> str:
        return "YouTube" if self.provider == YOUTUBE else "Facebook"

    @property
    def embed_url(self) -> str:
        """The provider's official embed player for this video."""
        if self.provider == YOUTUBE:
            return YOUTUBE_EMBED_URL + self.video_id
        return (
            FACEBOOK_PLUGIN_URL
            + "?"
            + urlencode({"href": self.watch_url, "show_text": "false"})
        )

    @property
    def start_parameter(self) -> str:
        """Query parameter of the embed player that sets the start time."""
        return "start" if self.provider == YOUTUBE else "t"

    def embed_url_at(self, seconds: int) -> str:
        separator = "&" if "?" in self.embed_url else "?"
        return f"{self.embed_url}{separator}{self.start_parameter}={int(seconds)}"

    def watch_url_at(self, seconds: int) -> str:
        """Link that opens the video at ``seconds`` on the provider's site.

        YouTube honours ``t``; Facebook has no documented start parameter for its
        pages, so the link opens the video and the chapter time is shown next to it.
        """
        if self.provider == YOUTUBE:
            return f"https://www.youtube.com/watch?v={self.video_id}&t={int(seconds)}s"
        return self.watch_url


def _clean_host(parts) -> str | None:
    if parts.scheme not in ("http", "https"):
        return None
    if parts.username or parts.password or parts.port:
        return None
    return (parts.hostname or "").lower().rstrip(".")


def _youtube(parts, host: str) -> VideoEmbed | None:
    video_id = None
    if host in YOUTUBE_SHORT_HOSTS:
        match = re.match(r"^/([A-Za-z0-9_-]{11})/?$", parts.path)
        video_id = match.group(1) if match else None
    elif parts.path in ("/watch", "/watch/"):
        candidates = parse_qs(parts.query).get("v", [])
        if len(candidates) == 1 and _YOUTUBE_ID.match(candidates[0]):
            video_id = candidates[0]
    else:
        match = _YOUTUBE_PATH.match(parts.path)
        video_id = match.group(1) if match else None
    if not video_id:
        return None
    return VideoEmbed(
        provider=YOUTUBE,
        video_id=video_id,
        watch_url=f"https://www.youtube.com/watch?v={video_id}",
    )


def _facebook(parts, host: str) -> VideoEmbed | None:
    if host in FACEBOOK_SHORT_HOSTS:
        match = _FB_WATCH_PATH.match(parts.path)
        if not match:
            return None
        code = match.group(1)
        return VideoEmbed(
            provider=FACEBOOK, video_id=code, watch_url=f"https://fb.watch/{code}/"
        )
    if parts.path in ("/watch", "/watch/", "/video.php"):
        candidates = parse_qs(parts.query).get("v", [])
        if len(candidates) == 1 and _FACEBOOK_ID.match(candidates[0]):
            video_id = candidates[0]
            return VideoEmbed(
                provider=FACEBOOK,
                video_id=video_id,
                watch_url=f"https://www.facebook.com/watch/?v={video_id}",
            )
        return None
    match = _FACEBOOK_VIDEOS_PATH.match(parts.path)
    if not match:
        return None
    page, video_id = match.groups()
    return VideoEmbed(
        provider=FACEBOOK,
        video_id=video_id,
        watch_url=f"https://www.facebook.com/{quote(page)}/videos/{video_id}/",
    )


def parse_video_url(url: str) -> VideoEmbed | None:
    """The embeddable video behind ``url``, or None when it is not one we accept."""
    url = (url or "").strip()
    if not url or len(url) > 500 or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = _clean_host(parts)
    if not host:
        return None
    if host in YOUTUBE_HOSTS or host in YOUTUBE_SHORT_HOSTS:
        return _youtube(parts, host)
    if host in FACEBOOK_HOSTS or host in FACEBOOK_SHORT_HOSTS:
        return _facebook(parts, host)
    return None


def validate_video_url(url: str) -> None:
    """Model/form validator: only Facebook and YouTube video links."""
    if parse_video_url(url) is None:
        raise ValidationError(
            _(
                "Use a Facebook or YouTube video link, for example "
                "https://www.facebook.com/<page>/videos/<number>/, "
                "https://fb.watch/<code>/, https://www.youtube.com/watch?v=<id> or "
                "https://youtu.be/<id>. Other sites cannot be embedded."
            ),
            code="unsupported_video_url",
        )
