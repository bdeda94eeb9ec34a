"""Which video links are embeddable, and what the embeds look like."""

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from ama.embeds import FACEBOOK, YOUTUBE, parse_video_url, validate_video_url

YOUTUBE_ID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={YOUTUBE_ID}",
        f"https://youtube.com/watch?v={YOUTUBE_ID}&t=42s",
        f"http://m.youtube.com/watch?feature=share&v={YOUTUBE_ID}",
        f"https://youtu.be/{YOUTUBE_ID}",
        f"https://youtu.be/{YOUTUBE_ID}?si=abc123",
        f"https://www.youtube.com/live/{YOUTUBE_ID}?feature=shared",
        f"https://www.youtube.com/embed/{YOUTUBE_ID}",
        f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}",
        f"https://www.youtube.com/shorts/{YOUTUBE_ID}",
        f"  https://WWW.YOUTUBE.COM/watch?v={YOUTUBE_ID}  ",
    ],
)
def test_youtube_forms_are_recognised(url):
    embed = parse_video_url(url)
    assert embed is not None, url
    assert embed.provider == YOUTUBE
    assert embed.video_id == YOUTUBE_ID
    assert embed.embed_url == f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}"
    assert embed.watch_url == f"https://www.youtube.com/watch?v={YOUTUBE_ID}"
    assert embed.embed_url_at(90).endswith("?start=90")
    assert embed.watch_url_at(90).endswith("&t=90s")


@pytest.mark.parametrize(
    ("url", "watch_url"),
    [
        (
            "https://www.facebook.com/LMSANational/videos/486201389472615/",
            "https://www.facebook.com/LMSANational/videos/486201389472615/",
        ),
        (
            "https://facebook.com/LMSANational/videos/486201389472615",
            "https://www.facebook.com/LMSANational/videos/486201389472615/",
        ),
        (
            "https://www.facebook.com/LMSANational/videos/ama-mcat-night/486201389472615/",
            "https://www.facebook.com/LMSANational/videos/486201389472615/",
        ),
        (
            "https://m.facebook.com/lmsa.national/videos/486201389472615/?mibextid=x",
            "https://www.facebook.com/lmsa.national/videos/486201389472615/",
        ),
        (
            "https://www.facebook.com/watch/?v=486201389472615",
            "https://www.facebook.com/watch/?v=486201389472615",
        ),
        (
            "https://www.facebook.com/watch?v=486201389472615&ref=sharing",
            "https://www.facebook.com/watch/?v=486201389472615",
        ),
        (
            "https://www.facebook.com/video.php?v=486201389472615",
            "https://www.facebook.com/watch/?v=486201389472615",
        ),
        ("https://fb.watch/kLm3Qx7tRb/", "https://fb.watch/kLm3Qx7tRb/"),
        ("https://fb.watch/kLm3Qx7tRb", "https://fb.watch/kLm3Qx7tRb/"),
    ],
)
def test_facebook_forms_are_recognised(url, watch_url):
    embed = parse_video_url(url)
    assert embed is not None, url
    assert embed.provider == FACEBOOK
    assert embed.watch_url == watch_url
    assert embed.embed_url.startswith(
        "https://www.facebook.com/plugins/video.php?href="
    )
    # The watched video travels URL-encoded inside the plugin address.
    assert "href=https%3A%2F%2F" in embed.embed_url
    assert embed.embed_url_at(75).endswith("&t=75")
    assert embed.watch_url_at(75) == watch_url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "javascript:alert(1)",
        "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/123456789",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
        "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
        "https://www.youtube.com/channel/UC1234567890",
        'https://youtu.be/dQw4w9WgXc"',
        "https://youtu.be/dQw4w9WgXcQ/extra",
        "https://www.facebook.com/LMSANational/",
        "https://www.facebook.com/LMSANational/posts/486201389472615/",
        "https://www.facebook.com/watch/?v=notanumber",
        "https://www.facebook.com/LMSANational/videos/<script>/486201389472615/",
        "https://facebook.com.evil.example/LMSANational/videos/486201389472615/",
        "https://fb.watch/",
        "https://fb.watch/a/b/",
        "https://www.facebook.com/plugins/video.php?href=https://evil.example/",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ x",
    ],
)
def test_everything_else_is_refused(url):
    assert parse_video_url(url) is None
    with pytest.raises(ValidationError) as error:
        validate_video_url(url)
    assert "Facebook or YouTube" in str(error.value)


def test_validator_accepts_supported_link():
    validate_video_url("https://youtu.be/dQw4w9WgXcQ")


ALLOWED_EMBED_PREFIXES = (
    "https://www.youtube-nocookie.com/embed/",
    "https://www.facebook.com/plugins/video.php?href=",
)
HOSTS = st.sampled_from(
    [
        "www.youtube.com",
        "youtu.be",
        "www.facebook.com",
        "fb.watch",
        "evil.example",
        "youtube.com.evil.example",
    ]
)


@given(
    scheme=st.sampled_from(["https", "http", "javascript", "data", ""]),
    host=HOSTS,
    rest=st.one_of(
        st.text(max_size=60),
        st.builds(
            str.__add__,
            st.sampled_from(
                ["watch?v=", "LMSA/videos/", "embed/", "live/", "watch/?v=", ""]
            ),
            st.text(
                alphabet=string.ascii_letters + string.digits + "-_\"'<>%&?=/ .",
                max_size=25,
            ),
        ),
    ),
)
@settings(max_examples=300, deadline=None)
def test_any_input_embeds_only_official_players(scheme, host, rest):
    url = f"{scheme}://{host}/{rest}" if scheme else f"{host}/{rest}"
    embed = parse_video_url(url)
    if embed is None:
        return
    assert embed.embed_url.startswith(ALLOWED_EMBED_PREFIXES)
    assert embed.watch_url.startswith(
        ("https://www.youtube.com/", "https://www.facebook.com/", "https://fb.watch/")
    )
    # Nothing that could break out of an HTML attribute or a URL survives.
    for text in (embed.embed_url, embed.watch_url_at(5)):
        assert not set(text) & set("\"'<> \\\n\t`")


YOUTUBE_IDS = st.text(
    alphabet=string.ascii_letters + string.digits + "-_", min_size=11, max_size=11
)


@given(
    video_id=YOUTUBE_IDS,
    form=st.sampled_from(
        [
            "https://www.youtube.com/watch?v={id}",
            "https://youtu.be/{id}",
            "https://www.youtube.com/live/{id}",
            "https://www.youtube.com/shorts/{id}",
            "https://m.youtube.com/watch?v={id}&feature=share",
        ]
    ),
    tail=st.text(alphabet=string.ascii_letters + string.digits + "=&", max_size=20),
)
@settings(max_examples=200, deadline=None)
def test_every_youtube_id_gives_its_own_embed(video_id, form, tail):
    url = form.format(id=video_id)
    url += ("&" if "?" in url else "?") + "x=" + tail
    embed = parse_video_url(url)
    assert embed is not None
    assert embed.embed_url == f"https://www.youtube-nocookie.com/embed/{video_id}"


@given(
    page=st.text(alphabet=string.ascii_letters + string.digits + ".-_", min_size=1),
    number=st.integers(min_value=10_000, max_value=10**20),
)
@settings(max_examples=200, deadline=None)
def test_every_facebook_video_gives_a_plugin_embed(page, number):
    embed = parse_video_url(f"https://www.facebook.com/{page[:100]}/videos/{number}/")
    assert embed is not None
    assert embed.video_id == str(number)
    assert embed.embed_url.startswith(ALLOWED_EMBED_PREFIXES[1])
    assert "%2Fvideos%2F" + str(number) in embed.embed_url
