"""Print what `make bench` needs as JSON: a member session and a few object paths."""

import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from members.models import User
from members.scale import BENCH_MEMBER_EMAIL


class Command(BaseCommand):
    help = "Create a signed-in session for the scale bench member; print paths as JSON."

    def handle(self, *args, **options):
        from ama.models import Video
        from residency_hub.models import CalendarFeedToken, Specialty

        user = User.objects.filter(email=BENCH_MEMBER_EMAIL).first()
        if user is None:
            raise CommandError("Run `manage.py seed_scale` first.")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = CalendarFeedToken.objects.live().filter(user=user).first()
        if token is None:
            token = CalendarFeedToken.objects.create(user=user)
        specialty = Specialty.objects.get(slug="internal-medicine")
        feed = reverse("residency_hub:calendar-feed", args=[specialty.slug])
        video = Video.objects.published().order_by("-date").first()
        self.stdout.write(
            json.dumps(
                {
                    "session_key": session.session_key,
                    "feed_path": f"{feed}?token={token.token}",
                    "video_path": video.get_absolute_url(),
                }
            )
        )
