from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("rapportages/", views.report_list, name="list"),
    path("rapportages/<int:report_id>/", views.report_detail, name="detail"),
    path("rapportages/<int:report_id>/opnieuw/", views.report_retry, name="retry"),
    path("rapportages/<int:report_id>/download/", views.report_download, name="download"),
]
