"""Portal pages, mounted at /portal/events/."""
from django.urls import path

from . import cowork_views, delegation_views, views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("mine/", views.my_registrations, name="my_registrations"),
    path("feed/reset/", views.feed_reset, name="feed_reset"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("checkin/<int:event_id>/", views.checkin, name="checkin"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/qr.svg", views.registration_qr, name="registration_qr"),
    path("proposals/", cowork_views.proposal_list, name="proposal_list"),
    path("proposals/new/", cowork_views.proposal_create, name="proposal_create"),
    path("proposals/proposers/", cowork_views.proposers, name="proposers"),
    path("proposals/<int:pk>/", cowork_views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/edit/", cowork_views.proposal_edit, name="proposal_edit"),
    path("manage/<int:pk>/", cowork_views.manage_event, name="manage_event"),
    path("manage/<int:pk>/sessions/new/", cowork_views.session_edit, name="session_create"),
    path("manage/<int:pk>/sessions/<int:session_id>/", cowork_views.session_edit, name="session_edit"),
    path("manage/<int:pk>/sessions/<int:session_id>/delete/", cowork_views.session_delete, name="session_delete"),
    path("manage/<int:pk>/speakers/<int:speaker_id>/", cowork_views.speaker_edit, name="speaker_edit"),
    path("manage/<int:pk>/registrations/", cowork_views.manage_registrations, name="manage_registrations"),
    path("manage/<int:pk>/registrations.csv", cowork_views.manage_registrations_csv, name="manage_registrations_csv"),
    path("manage/<int:pk>/feedback/", cowork_views.manage_feedback, name="manage_feedback"),
    path("delegations/", delegation_views.delegation_list, name="delegation_list"),
    path("delegations/<int:pk>/", delegation_views.delegation_detail, name="delegation_detail"),
    path("delegations/<int:pk>/edit/", delegation_views.delegation_edit, name="delegation_edit"),
    path("delegations/<int:pk>/visa-list.csv", delegation_views.delegation_visa_list, name="delegation_visa_list"),
    path("delegations/<int:pk>/members/<int:member_id>/letter.pdf", delegation_views.delegation_letter, name="delegation_letter"),
    path("registrations/<int:pk>/certificate.pdf", delegation_views.registration_certificate, name="registration_certificate"),
    path("<int:pk>/delegation/", delegation_views.delegation_create, name="delegation_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/register/", views.event_register, name="event_register"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
]
