import hmac
import ipaddress
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django_prometheus.exports import ExportToDjangoView

from novacron.core.api.errors import error_body
from novacron.core.health import run_checks
from novacron.core.portal import AREAS, dashboard_panels


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "core/home.html", {"areas": AREAS})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html", {"panels": dashboard_panels(request), "areas": AREAS})


@require_GET
def hello(request: HttpRequest) -> JsonResponse:
    """The baseline of bench/http: no database, no session, no template."""
    return JsonResponse({"hello": "world"})


@never_cache
@require_safe  # GET and HEAD: some load balancers probe with HEAD and only read the status code
def health(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503
    )


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    auth = request.headers.get("Authorization", "")
    if token and auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), token):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("accounts.view_metrics"):
        return True
    if settings.METRICS_ALLOW_LOOPBACK:
        try:
            return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
        except ValueError:
            return False
    return False


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, for a staff member with `view_metrics`, the METRICS_TOKEN bearer, or loopback
    (development only by default)."""
    if not _metrics_allowed(request):
        return JsonResponse(
            error_body("forbidden", "Metrics need a metrics token or staff access."), status=403
        )
    return ExportToDjangoView(request)


# The API error body (with request_id) also for requests that never reach a DRF view: unknown /api/ paths
# and crashes outside DRF's handler.
@require_safe
def public_media(request: HttpRequest, path: str) -> FileResponse:
    """Uploaded files that anyone may see (PUBLIC_MEDIA_PREFIXES: app logos and screenshots), in every
    environment; every other upload (source bundles, lesson resources) stays private. A CDN or the web server may
    serve these paths instead."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    relative = target.relative_to(root).as_posix() if target.is_relative_to(root) else ""
    if not relative.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)) or not target.is_file():
        raise Http404
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    return render(request, "500.html", status=500)
