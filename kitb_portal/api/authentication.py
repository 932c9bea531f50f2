"""Who is calling: a personal API token (``Authorization: Bearer kitb_…``) or the browser's session."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from kitb_portal.accounts import api_tokens, second_factor


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``: the token's user, with ``request.auth`` the ApiToken row.

    A revoked or expired token, a token of a deactivated user, or one that does not exist is refused
    with 401 (the same answer for each, so nothing tells them apart)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid, has expired or was revoked.")) from None
        token = api_tokens.authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API token is not valid, has expired or was revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword  # 401 (not 403) with WWW-Authenticate when no credentials come


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser (the docs' "Try it out"), with DRF's CSRF check on unsafe methods.

    A user the admin asks a second factor of counts only once their session has passed it."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        if second_factor.must_verify(request._request):
            return None
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token made at /portal/api-tokens/."}


class PortalSessionScheme(OpenApiAuthenticationExtension):
    target_class = PortalSessionAuthentication
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
