"""Apply a signed-in user's chosen language before LocaleMiddleware reads the browser's."""

from __future__ import annotations

from django.conf import settings


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.user is lazy: it is only loaded here when no language cookie is set, and
        # then the views reuse the loaded user rather than reading it again.
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            language = getattr(request.user, "language", "")
            if language:
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)
