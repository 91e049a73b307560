from django.urls import path

from themes import views

app_name = "themes"

urlpatterns = [
    path("", views.route_overview, name="overview"),
    path("thema/<slug:code>/", views.theme_detail, name="theme-detail"),
    path("doelen/", views.target_list, name="target-list"),
    path("doelen/<str:code>/", views.target_detail, name="target-detail"),
    path("mijlpalen/", views.milestone_list, name="milestone-list"),
    path("partners/", views.partner_list, name="partner-list"),
    path("programma/<slug:code>/", views.programme_detail, name="programme-detail"),
    path("over/", views.about, name="about"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility"),
]
