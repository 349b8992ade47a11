from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("run/<slug:kind>/", views.job_run, name="run"),
    path("<int:pk>/", views.job_detail, name="detail"),
]
