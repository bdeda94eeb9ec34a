from django.urls import path

from listserv import views

app_name = "listserv"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
    path("thanks/", views.SignupDoneView.as_view(), name="signup-done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("subscribe/", views.member_subscribe_view, name="member-subscribe"),
]
