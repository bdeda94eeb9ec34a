from django.urls import path

from mentors import views

app_name = "mentors"

urlpatterns = [
    path("", views.MentorDirectoryView.as_view(), name="directory"),
    path("<int:pk>/", views.MentorDetailView.as_view(), name="detail"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path(
        "requests/<int:pk>/withdraw/", views.request_withdraw, name="request-withdraw"
    ),
    path("answer/<str:token>/", views.request_answer, name="request-answer"),
    path("connected/<str:token>/", views.request_followup, name="request-followup"),
    path("searches/save/", views.saved_search_save, name="saved-search-save"),
    path(
        "searches/<int:pk>/delete/",
        views.saved_search_delete,
        name="saved-search-delete",
    ),
    path(
        "searches/<int:pk>/alerts/",
        views.saved_search_alerts,
        name="saved-search-alerts",
    ),
    path(
        "searches/unsubscribe/<str:token>/",
        views.saved_search_unsubscribe,
        name="saved-search-unsubscribe",
    ),
    path("join/", views.MentorSignupView.as_view(), name="join"),
    path("join/thanks/", views.signup_thanks, name="thanks"),
    path("share/", views.share, name="share"),
    path("manage/", views.RequestLinkView.as_view(), name="request-link"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/pause/", views.manage_pause, name="manage-pause"),
    path("manage/<str:token>/remove/", views.manage_remove, name="manage-remove"),
    path("email/<str:token>/", views.email_confirm, name="email-confirm"),
    path(
        "still-mentoring/<str:token>/",
        views.still_mentoring,
        name="still-mentoring",
    ),
]
