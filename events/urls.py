"""Portal pages, mounted at /portal/events/."""
from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("mine/", views.my_registrations, name="my_registrations"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("checkin/<int:event_id>/", views.checkin, name="checkin"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/qr.svg", views.registration_qr, name="registration_qr"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/register/", views.event_register, name="event_register"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
]
