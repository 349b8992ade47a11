from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("visits/", views.dashboard, name="dashboard"),
    path("schedule/", views.day_view, name="day"),
    path("schedule/week/", views.week_view, name="week"),
    path("schedule/book/", views.book, name="book"),
    path("schedule/recalls/", views.recalls, name="recalls"),
    path("schedule/services/", views.services, name="services"),
    path("schedule/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("schedule/appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path(
        "schedule/appointments/<int:pk>/reschedule/",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("schedule/appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("schedule/appointments/<int:pk>/no-show/", views.appointment_no_show, name="appointment_no_show"),
    path("schedule/appointments/<int:pk>/check-in/", views.appointment_check_in, name="appointment_check_in"),
    path("schedule/appointments/<int:pk>/complete/", views.appointment_complete, name="appointment_complete"),
    path("schedule/appointments/<int:pk>/receipt/", views.receipt, name="receipt"),
]
