"""Portal URLs under /portal/applications/ (namespace "tenants")."""
from django.urls import path

from .views import applications, journey

app_name = "tenants"
urlpatterns = [
    path("", applications.application_list, name="application_list"),
    path("new/", applications.application_create, name="application_create"),
    path("<int:pk>/", applications.application_detail, name="application_detail"),
    path("<int:pk>/step/<int:step>/", applications.application_step, name="application_step"),
    path("<int:pk>/submit/", applications.application_submit, name="application_submit"),
    path("<int:pk>/withdraw/", applications.application_withdraw, name="application_withdraw"),
    path("<int:pk>/comment/", applications.comment_add, name="comment_add"),
    path("<int:pk>/documents/upload/", applications.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/download/", applications.document_download, name="document_download"),
    # the journey around the screening (tenants/journey.py)
    path("projects/", journey.project_list, name="project_list"),
    path("projects/<int:pk>/", journey.project_detail, name="project_detail"),
    path("land/", journey.land_view, name="land"),
    path("interest/", journey.interest_list, name="interest_list"),
    path("interest/new/", journey.interest_create, name="interest_create"),
    path("interest/<int:pk>/", journey.interest_detail, name="interest_detail"),
]
