from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/doelen/<str:code>/", views.target_figures, name="target"),
    path("dashboard/doelen/<str:code>/bijstellen/", views.status_override, name="status-override"),
    path("methode/", views.method, name="method"),
    path("instellingen/<str:code>/vergelijking/", views.institution_comparison, name="comparison"),
]
