from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("users/", views.org_user_list, name="user_list"),
    path("users/invite/", views.org_user_invite, name="user_invite"),
    path("users/<int:pk>/deactivate/", views.org_user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.org_user_reactivate, name="user_reactivate"),
]
