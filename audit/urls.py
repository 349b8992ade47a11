from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_log, name="log"),
    path("clients/<int:client_pk>/access/", views.client_history, name="client"),
]
