"""Public pages, mounted at /events/ (no login)."""
from django.urls import path

from . import public_views as views
from .feeds import UpcomingPublicEventsAtomFeed, UpcomingPublicEventsFeed

app_name = "events_public"
urlpatterns = [
    path("", views.public_event_list, name="event_list"),
    path("archive/", views.public_event_archive, name="event_archive"),
    path("feed.rss", UpcomingPublicEventsFeed(), name="feed_rss"),
    path("feed.atom", UpcomingPublicEventsAtomFeed(), name="feed_atom"),
    path("calendar.ics", views.public_calendar_ics, name="calendar_ics"),
    path("r/<str:token>/", views.registration_manage, name="registration_manage"),
    path("r/<str:token>/confirm/", views.registration_confirm, name="registration_confirm"),
    path("r/<str:token>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("r/<str:token>/qr.svg", views.registration_qr, name="registration_qr"),
    path("r/<str:token>/event.ics", views.registration_ics, name="registration_ics"),
    path("r/<str:token>/feedback/", views.feedback, name="feedback"),
    path("r/<str:token>/certificate.pdf", views.registration_certificate, name="registration_certificate"),
    path("verify/<str:code>/", views.verify_document, name="verify"),
    path("<slug:slug>/", views.public_event_detail, name="event_detail"),
    path("<slug:slug>/sent/", views.registration_sent, name="registration_sent"),
    path("<slug:slug>/event.ics", views.public_event_ics, name="event_ics"),
    path("<slug:slug>/presentations/<int:pk>.pdf", views.presentation_file, name="presentation_file"),
]
