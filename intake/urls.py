from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    # Public (no account): the website's new-client form and clients' links.
    path("new/", views.intake_new, name="new"),
    path("f/<str:token>/", views.intake_open, name="open"),
    path("f/<str:token>/done/", views.intake_done, name="done"),
    path("f/<str:token>/<slug:step>/", views.intake_step, name="step"),
    # Staff
    path("clients/<int:client_pk>/links/new/", views.link_create, name="link_create"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("clients/<int:client_pk>/in-clinic/", views.in_clinic_start, name="in_clinic"),
    path("review/", views.review_queue, name="review_queue"),
    path("new-clients/", views.match_queue, name="match_queue"),
    path("new-clients/<int:pk>/attach/", views.match_attach, name="match_attach"),
    path("new-clients/<int:pk>/create-client/", views.match_create_client, name="match_create_client"),
    path("consent/", views.consent_edit, name="consent"),
    path("<int:pk>/", views.intake_detail, name="detail"),
    path("<int:pk>/accept/", views.intake_accept, name="accept"),
]
