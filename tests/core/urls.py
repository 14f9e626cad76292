"""Test-only URLconf: small views that exercise the kernel (idempotency, errors, audit, middleware).

Mounted with `pytest.mark.urls("tests.core.urls")`. Paths sit under /api/ where the API error handlers apply.
"""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone, translation
from rest_framework import permissions, serializers, throttling
from rest_framework.response import Response
from rest_framework.views import APIView

from novacron.core import exceptions
from novacron.core.api.idempotency import idempotent
from novacron.core.models import AuditLog
from novacron.core.services.audit import audit_record

# Tests set this to run code inside WidgetCreateView before it writes (block on an Event, raise, ...).
BEFORE_WRITE: Callable[[str], None] | None = None

WIDGET_ACTION = "test.widget_create"


class WidgetCreateView(APIView):
    """Creates one row (an audit entry) per executed request, so tests can count side effects."""

    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=50)

    @idempotent
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["name"]
        if BEFORE_WRITE is not None:
            BEFORE_WRITE(name)
        with transaction.atomic():
            row = audit_record(
                actor=request.user,
                action=WIDGET_ACTION,
                object_type="test.widget",
                object_id=name,
                after={"name": name},
            )
        return Response({"id": row.pk, "name": name}, status=201, headers={"Location": f"/widgets/{row.pk}/"})


class SignupView(APIView):
    """Field errors and a non-field error from a serializer."""

    class Input(serializers.Serializer):
        email = serializers.EmailField()
        age = serializers.IntegerField(min_value=18)

        def validate(self, attrs):
            if attrs["email"].endswith("@blocked.example"):
                raise serializers.ValidationError("This domain cannot sign up.")
            return attrs

    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(status=204)


DOMAIN_ERRORS: dict[str, Callable[[], exceptions.DomainError]] = {
    "validation": lambda: exceptions.ValidationError("Amount must be positive.", field="amount"),
    "permission": lambda: exceptions.PermissionDenied("Only the owner may do this."),
    "not_found": lambda: exceptions.NotFound("No such payout."),
    "conflict": lambda: exceptions.Conflict("Seat limit reached.", code="seat_limit_reached"),
}


class DomainErrorView(APIView):
    def get(self, request, kind: str):
        raise DOMAIN_ERRORS[kind]()


class DenyAll(permissions.BasePermission):
    message = "Staff only."

    def has_permission(self, request, view) -> bool:
        return False


class ForbiddenView(APIView):
    permission_classes = [permissions.IsAuthenticated, DenyAll]

    def get(self, request):
        return Response({})


class AlwaysThrottled(throttling.BaseThrottle):
    def allow_request(self, request, view) -> bool:
        return False

    def wait(self) -> float:
        return 30.0


class ThrottledView(APIView):
    throttle_classes = [AlwaysThrottled]

    def get(self, request):
        return Response({})


class MissingView(APIView):
    def get(self, request):
        return Response({"id": get_object_or_404(AuditLog, pk=-1).pk})


class CrashView(APIView):
    def get(self, request):
        raise RuntimeError("unexpected")


class AuditProbeView(APIView):
    """Records an audit row for a change to the caller's own user, inside the change's transaction."""

    def post(self, request):
        with transaction.atomic():
            row = audit_record(
                actor=request.user,
                action="test.profile_update",
                obj=request.user,
                before={"display_name": request.user.display_name},
                after={"display_name": "New name"},
            )
        return Response({"id": row.pk}, status=201)


def locale_probe(request: HttpRequest) -> JsonResponse:
    """A plain portal view: reports the timezone and language active while it runs."""
    return JsonResponse(
        {"timezone": timezone.get_current_timezone_name(), "language": translation.get_language()}
    )


urlpatterns = [
    path("api/test/widgets/", WidgetCreateView.as_view()),
    path("api/test/signup/", SignupView.as_view()),
    path("api/test/domain/<str:kind>/", DomainErrorView.as_view()),
    path("api/test/forbidden/", ForbiddenView.as_view()),
    path("api/test/missing/", MissingView.as_view()),
    path("api/test/throttled/", ThrottledView.as_view()),
    path("api/test/crash/", CrashView.as_view()),
    path("api/test/audit/", AuditProbeView.as_view()),
    path("probe/locale/", locale_probe),
]

handler404 = "novacron.core.views.error_404"
handler500 = "novacron.core.views.error_500"
