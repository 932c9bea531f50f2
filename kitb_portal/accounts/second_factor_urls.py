"""/accounts/two-factor/: django-two-factor-auth's pages (its URL names, namespace ``two_factor``)."""
from django.urls import path

from . import second_factor_views as views

app_name = "two_factor"
urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("setup/", views.SetupView.as_view(), name="setup"),
    path("setup/qrcode/", views.QRGeneratorView.as_view(), name="qr"),
    path("setup/complete/", views.SetupCompleteView.as_view(), name="setup_complete"),
    path("recovery-codes/", views.BackupTokensView.as_view(), name="backup_tokens"),
    path("disable/", views.DisableView.as_view(), name="disable"),
]
