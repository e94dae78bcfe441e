"""Apply a signed-in user's chosen language before LocaleMiddleware reads the browser's."""

from __future__ import annotations

from django.conf import settings


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The session is read lazily: the user is only loaded if a language cookie is absent.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            from django.contrib.auth import get_user

            user = get_user(request)
            language = getattr(user, "language", "")
            if language:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)
