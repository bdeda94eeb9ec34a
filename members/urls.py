from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/export/", views.export_data, name="export"),
    path("me/delete/", views.delete, name="delete"),
]
