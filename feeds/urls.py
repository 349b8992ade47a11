from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.create, name="create"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    # Public: calendar apps fetch it without signing in; the token is the only key.
    path("<slug:token>.ics", views.feed, name="feed"),
]
