from django.urls import path

from residency_hub import views

app_name = "residency_hub"

urlpatterns = [
    path("", views.ProgramListView.as_view(), name="program-list"),
    path(
        "programs/<slug:slug>/",
        views.ProgramDetailView.as_view(),
        name="program-detail",
    ),
    path(
        "specialties/<slug:slug>/",
        views.SpecialtyDetailView.as_view(),
        name="specialty-detail",
    ),
    path(
        "specialties/<slug:slug>/calendar/",
        views.CalendarView.as_view(),
        name="calendar",
    ),
    path(
        "specialties/<slug:slug>/calendar.ics",
        views.calendar_feed,
        name="calendar-feed",
    ),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event-ics"),
    path("submit/", views.ProgramSubmitView.as_view(), name="submit"),
    path(
        "submit/thanks/",
        views.ProgramSubmitDoneView.as_view(),
        name="submit-done",
    ),
    path(
        "coordinators/",
        views.CoordinatorRequestLinkView.as_view(),
        name="coordinator-request-link",
    ),
    path(
        "coordinators/<str:token>/",
        views.coordinator_edit,
        name="coordinator-edit",
    ),
    path(
        "still-accurate/<str:token>/",
        views.coordinator_confirm,
        name="coordinator-confirm",
    ),
    path(
        "calendar-link/new/",
        views.feed_token_rotate,
        name="feed-token-rotate",
    ),
    path(
        "calendar-link/revoke/",
        views.feed_token_revoke,
        name="feed-token-revoke",
    ),
]
