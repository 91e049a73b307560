from django.urls import path

from institutions import views

app_name = "institutions"

urlpatterns = [
    path("mijn/", views.home, name="home"),
    path("mijn/api-token/", views.api_token, name="api-token"),
    path("instellingen/", views.overview, name="overview"),
    path("instellingen/<str:code>/", views.status, name="status"),
    path("instellingen/<str:code>/bevestigen/", views.confirm, name="confirm"),
    path("instellingen/<str:code>/import/", views.import_file, name="import"),
    path(
        "instellingen/<str:code>/antwoorden.csv",
        views.export_answers,
        {"file_format": "csv"},
        name="export-csv",
    ),
    path(
        "instellingen/<str:code>/antwoorden.xlsx",
        views.export_answers,
        {"file_format": "xlsx"},
        name="export-xlsx",
    ),
    path("instellingen/<str:code>/doelen/<str:target_code>/", views.answer_row, name="answer-row"),
    path(
        "instellingen/<str:code>/doelen/<str:target_code>/bewerken/",
        views.answer_edit,
        name="answer-edit",
    ),
    path(
        "instellingen/<str:code>/doelen/<str:target_code>/geschiedenis/",
        views.answer_history,
        name="answer-history",
    ),
    path(
        "instellingen/<str:code>/antwoorden/<int:answer_id>/beoordelen/",
        views.review,
        name="review",
    ),
]
