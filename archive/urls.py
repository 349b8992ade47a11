from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.archive_home, name="home"),
    path("runs/<int:pk>/", views.archive_run, name="run"),
    path("<int:pk>/download/", views.archive_download, name="download"),
]
