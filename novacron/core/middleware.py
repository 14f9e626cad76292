import zoneinfo
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserTimezoneMiddleware:
    """Show dates in the signed-in user's timezone and interface in their preferred language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone or "UTC"))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.preferred_language:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = translation.get_language()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestIdHeaderMiddleware:
    """Echo the request id bound by the logging middleware, so a client can quote it in a support request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id and not response.has_header("X-Request-ID"):
            response["X-Request-ID"] = str(request_id)
        return response
