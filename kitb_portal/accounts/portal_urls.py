from django.urls import path

from kitb_portal.notifications import views as notification_views

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("users/", views.org_user_list, name="user_list"),
    path("users/invite/", views.org_user_invite, name="user_invite"),
    path("users/<int:pk>/deactivate/", views.org_user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.org_user_reactivate, name="user_reactivate"),
    path("preferences/", notification_views.preferences, name="notification_preferences"),
    # Unsubscribe links of e-mails (signed token, no login): a confirm page, and RFC 8058's one-click POST.
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click/", notification_views.unsubscribe_one_click, name="unsubscribe_one_click"),
]
