from django.urls import path

from sessions import schedule_views, views

app_name = "visits"

urlpatterns = [
    path("schedule/", schedule_views.day_view, name="day"),
    path("schedule/week/", schedule_views.week_view, name="week"),
    path("schedule/book/", schedule_views.book, name="book"),
    path("schedule/recalls/", schedule_views.recalls, name="recalls"),
    path("schedule/services/", schedule_views.services, name="services"),
    path("schedule/services/<int:pk>/", schedule_views.service_edit, name="service_edit"),
    path("schedule/appointments/<int:pk>/", schedule_views.appointment_detail, name="appointment_detail"),
    path(
        "schedule/appointments/<int:pk>/reschedule/",
        schedule_views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("schedule/appointments/<int:pk>/cancel/", schedule_views.appointment_cancel, name="appointment_cancel"),
    path("schedule/appointments/<int:pk>/no-show/", schedule_views.appointment_no_show, name="appointment_no_show"),
    path("schedule/appointments/<int:pk>/check-in/", schedule_views.appointment_check_in, name="appointment_check_in"),
    path("schedule/appointments/<int:pk>/complete/", schedule_views.appointment_complete, name="appointment_complete"),
    path("schedule/appointments/<int:pk>/receipt/", schedule_views.receipt, name="receipt"),
    path("visits/", views.dashboard, name="dashboard"),
    path("clients/<int:client_pk>/chart/", views.chart, name="chart"),
    path("clients/<int:client_pk>/progress/", views.progress, name="progress"),
    path("clients/<int:client_pk>/notes/new/", views.note_new, name="note_new"),
    path("clients/<int:client_pk>/notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("clients/<int:client_pk>/notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("clients/<int:client_pk>/notes/<int:pk>/sign/", views.note_sign, name="note_sign"),
    path("clients/<int:client_pk>/notes/<int:pk>/addenda/new/", views.addendum_create, name="addendum_new"),
    path("clients/<int:client_pk>/notes/<int:pk>/print/", views.note_print, name="note_print"),
    path("clients/<int:client_pk>/notes/<int:pk>/handout/", views.note_handout, name="note_handout"),
    path("clients/<int:client_pk>/plans/new/", views.plan_new, name="plan_new"),
    path("clients/<int:client_pk>/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("clients/<int:client_pk>/plans/<int:pk>/complete/", views.plan_complete, name="plan_complete"),
    path("clients/<int:client_pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("clients/<int:client_pk>/assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
]
