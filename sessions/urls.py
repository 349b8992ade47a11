from django.urls import path

from sessions import views

app_name = "visits"

urlpatterns = [
    path("clients/<int:client_pk>/chart/", views.chart, name="chart"),
    path("clients/<int:client_pk>/progress/", views.progress, name="progress"),
    path("clients/<int:client_pk>/notes/new/", views.note_new, name="note_new"),
    path("clients/<int:client_pk>/notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("clients/<int:client_pk>/notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("clients/<int:client_pk>/notes/<int:pk>/sign/", views.note_sign, name="note_sign"),
    path("clients/<int:client_pk>/notes/<int:pk>/addenda/new/", views.addendum_create, name="addendum_new"),
    path("clients/<int:client_pk>/notes/<int:pk>/print/", views.note_print, name="note_print"),
    path("clients/<int:client_pk>/notes/<int:pk>/handout/", views.note_handout, name="note_handout"),
    path("clients/<int:client_pk>/imported-notes/<int:pk>/", views.imported_note_detail, name="imported_note_detail"),
    path("clients/<int:client_pk>/plans/new/", views.plan_new, name="plan_new"),
    path("clients/<int:client_pk>/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("clients/<int:client_pk>/plans/<int:pk>/complete/", views.plan_complete, name="plan_complete"),
    path("clients/<int:client_pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("clients/<int:client_pk>/assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
]
