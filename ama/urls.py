from django.urls import path
from django.views.decorators.http import condition

from ama import views
from ama.feeds import LatestVideosFeed, UpcomingSessionsFeed, feed_etag

app_name = "ama"

# Fixed paths come before "<slug:slug>/" so a session slug can never shadow them.
urlpatterns = [
    path("", views.ArchiveView.as_view(), name="archive"),
    path("feed/", condition(etag_func=feed_etag)(LatestVideosFeed()), name="feed"),
    path("upcoming/feed/", UpcomingSessionsFeed(), name="upcoming-feed"),
    path("upcoming/<int:pk>/", views.upcoming_detail, name="upcoming-detail"),
    path("upcoming/<int:pk>/calendar.ics", views.upcoming_ics, name="upcoming-ics"),
    path("announcements/", views.announcements_toggle, name="announcements-toggle"),
    path(
        "upcoming/<int:pk>/questions/",
        views.question_create,
        name="question-create",
    ),
    path("questions/<int:pk>/vote/", views.question_vote_toggle, name="question-vote"),
    path("<slug:slug>/", views.VideoDetailView.as_view(), name="video-detail"),
]
