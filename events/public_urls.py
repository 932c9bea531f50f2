from django.urls import path

app_name = "events_public"
urlpatterns: list = []
