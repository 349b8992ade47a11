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
    path("waitlist/join/", views.waitlist_join, name="waitlist_join"),
    path("waitlist/joined/", views.waitlist_joined, name="waitlist_joined"),
    path("offer/<str:token>/", views.offer, name="offer"),
    # Staff.
    path("waitlist/", views.waitlist_list, name="waitlist"),
    path("waitlist/new/", views.waitlist_new, name="waitlist_new"),
    path("waitlist/<int:pk>/remove/", views.waitlist_remove, name="waitlist_remove"),
    path("online/", views.desk, name="desk"),
    path("online/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("rules/", views.rules, name="rules"),
]
