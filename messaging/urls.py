from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("clients/<int:client_pk>/", views.client_messages, name="client_messages"),
    path("clients/<int:client_pk>/preference/", views.preference_edit, name="preference"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
    # Twilio posts the texts clients send to the clinic's number here (public, signed).
    path("twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
