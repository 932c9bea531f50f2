from django.urls import path

from kitb_portal.notifications import views as notification_views

from . import portal_api_views, views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("users/", views.org_user_list, name="user_list"),
    path("users/invite/", views.org_user_invite, name="user_invite"),
    path("users/<int:pk>/deactivate/", views.org_user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.org_user_reactivate, name="user_reactivate"),
    path("api-tokens/", portal_api_views.api_token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", portal_api_views.api_token_revoke, name="api_token_revoke"),
    path("contacts/", portal_api_views.contact_list, name="contact_list"),
    path("contacts/add/", portal_api_views.contact_edit, name="contact_add"),
    path("contacts/<int:pk>/", portal_api_views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/deactivate/", portal_api_views.contact_set_active, {"active": False}, name="contact_deactivate"),
    path("contacts/<int:pk>/reactivate/", portal_api_views.contact_set_active, {"active": True}, name="contact_reactivate"),
    path("preferences/", notification_views.preferences, name="notification_preferences"),
    # Unsubscribe links of e-mails (signed token, no login): a confirm page, and RFC 8058's one-click POST.
    path("unsubscribe/<str:token>/", notification_views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click/", notification_views.unsubscribe_one_click, name="unsubscribe_one_click"),
]
