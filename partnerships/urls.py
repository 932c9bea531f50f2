"""Partner portal URLs, mounted at /portal/mous/ (namespace "partnerships")."""
from django.urls import path

from . import review_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.mou_list, name="mou_list"),
    path("<int:pk>/", views.mou_detail, name="mou_detail"),
    path("<int:pk>/notes/add/", views.note_add, name="note_add"),
    path("<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_id>/download/", views.document_download, name="document_download"),
    path("<int:pk>/documents/<int:document_id>/decide/", views.document_decide, name="document_decide"),
    path("<int:pk>/review/", review_views.review_list, name="review_list"),
    path("<int:pk>/review/<int:version_id>/", review_views.review_version, name="review_version"),
    path("<int:pk>/review/<int:version_id>/sign-off/", review_views.review_sign_off, name="review_sign_off"),
    path("<int:pk>/review/<int:version_id>/<str:file_format>/<str:language>/", review_views.review_download, name="review_download"),
    path("<int:pk>/commitments/<int:commitment_id>/progress/", views.progress_add, name="progress_add"),
    path("<int:pk>/commitments/<int:commitment_id>/progress/<int:entry_id>/evidence/", views.progress_evidence,
         name="progress_evidence"),
]
