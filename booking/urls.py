from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    # Public: the client's pages.
    path("", views.start, name="start"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    path("booked/", views.booked, name="booked"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/move/", views.move, name="move"),
    # Staff.
    path("online/", views.desk, name="desk"),
    path("online/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("rules/", views.rules, name="rules"),
]
