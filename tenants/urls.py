"""Portal URLs under /portal/applications/ (namespace "tenants")."""
from django.urls import path

from . import views, views_journey

app_name = "tenants"
urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/step/<int:step>/", views.application_step, name="application_step"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("<int:pk>/comment/", views.comment_add, name="comment_add"),
    path("<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/download/", views.document_download, name="document_download"),
    # the journey around the screening (tenants/views_journey.py)
    path("projects/", views_journey.project_list, name="project_list"),
    path("projects/<int:pk>/", views_journey.project_detail, name="project_detail"),
    path("land/", views_journey.land_view, name="land"),
    path("interest/", views_journey.interest_list, name="interest_list"),
    path("interest/new/", views_journey.interest_create, name="interest_create"),
    path("interest/<int:pk>/", views_journey.interest_detail, name="interest_detail"),
]
