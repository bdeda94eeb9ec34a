from django.urls import path

from listserv import views
from listserv.webhooks import PROVIDERS, tracking_view

app_name = "listserv"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
    path("thanks/", views.SignupDoneView.as_view(), name="signup-done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("subscribe/", views.member_subscribe_view, name="member-subscribe"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/", views.archive_detail, name="archive-detail"),
] + [
    # Bounce and complaint reports from the email provider (see README.md).
    path(
        f"webhooks/{slug}/tracking/",
        tracking_view(view_class, required),
        name=f"webhook-{slug}",
    )
    for slug, (view_class, required) in PROVIDERS.items()
]
