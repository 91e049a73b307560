from django.urls import path

from rounds import views

app_name = "rounds"

urlpatterns = [
    path("beheer/rondes/", views.round_list, name="list"),
    path("beheer/rondes/nieuw/", views.round_create, name="create"),
    path("beheer/rondes/<int:round_id>/", views.round_detail, name="detail"),
    path("beheer/rondes/<int:round_id>/openen/", views.round_open, name="open"),
    path("beheer/rondes/<int:round_id>/sluiten/", views.round_close, name="close"),
    path("beheer/rondes/<int:round_id>/cijferbasis/", views.figures_use, name="figures-use"),
    path(
        "beheer/rondes/<int:round_id>/instellingen/<str:code>/",
        views.round_institution,
        name="institution",
    ),
    path(
        "beheer/rondes/<int:round_id>/instellingen/<str:code>/beoordelen/",
        views.review,
        name="review",
    ),
    path(
        "beheer/rondes/<int:round_id>/instellingen/<str:code>/heropenen/",
        views.reopen,
        name="reopen",
    ),
    path(
        "beheer/rondes/<int:round_id>/instellingen/<str:code>/heropening-sluiten/",
        views.end_reopening,
        name="end-reopening",
    ),
    path(
        "beheer/rondes/<int:round_id>/instellingen/<str:code>/herinnering/",
        views.reminder,
        name="reminder",
    ),
]
