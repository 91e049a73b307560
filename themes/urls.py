from django.urls import path

from themes import views

app_name = "themes"

urlpatterns = [
    path("", views.route_overview, name="overview"),
    path("thema/<slug:code>/", views.theme_detail, name="theme-detail"),
    path("doelen/", views.target_list, name="target-list"),
    path("doelen/<str:code>/", views.target_detail, name="target-detail"),
    path("mijlpalen/", views.milestone_list, name="milestone-list"),
    path("mijlpalen/<str:code>/", views.milestone_detail, name="milestone-detail"),
    path("mijlpalen/<str:code>/status/", views.milestone_status, name="milestone-status"),
    path("route/achterstand/", views.overdue, name="overdue"),
    path("route/versies/", views.version_list, name="version-list"),
    path("route/versies/publiceren/", views.version_publish, name="version-publish"),
    path("route/versies/<int:old>/<int:new>/", views.version_diff, name="version-diff"),
    path("partners/", views.partner_list, name="partner-list"),
    path("programma/<slug:code>/", views.programme_detail, name="programme-detail"),
    path("over/", views.about, name="about"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility"),
]
