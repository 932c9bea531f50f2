from django.urls import path

from . import views

app_name = "tenants"
urlpatterns = [
    path("", views.application_list, name="application_list"),
]
