"""A client's complete record (right of access), under the client's address and the clients:
URL namespace: clinic/urls.py adds these to the client pages. The code lives in audit/ because
the record spans every app and each export is written to the access log."""

from django.urls import path

from audit import export_views

urlpatterns = [
    path("<int:pk>/export.pdf", export_views.export_pdf, name="export_pdf"),
    path("<int:pk>/export.json", export_views.export_json, name="export_json"),
]
