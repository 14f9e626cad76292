"""The automated checks run on every submission, one Celery task per check (see marketplace.tasks).

Each check returns (status, message, details) with status "pass", "warn" or "fail"; `check_run` stores it and,
once every check of the submission has finished, calls the quality gate (`versions.version_gate`) under a row
lock, so checks finishing at the same time on different workers gate exactly once.

Settings: MARKETPLACE_LINK_TIMEOUT (seconds, 5), MARKETPLACE_LINK_SLOW_SECONDS (2: slower answers warn),
MARKETPLACE_LINK_CHECK_ALLOW_PRIVATE (False in production: refuse links to private/loopback addresses),
MARKETPLACE_BANDIT_TIMEOUT (seconds, 120).
"""

import ipaddress
import json
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jsonschema
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.models import AppVersion, CheckResult
from marketplace.services.versions import version_gate

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "manifest-v1.json"
Result = tuple[str, str, dict[str, Any]]

# Which scopes each declared feature justifies.
FEATURE_SCOPES: dict[str, set[str]] = {
    "dashboards": {"schedules:read", "runs:read", "org:read"},
    "alerting": {"runs:read", "logs:read", "webhooks:receive"},
    "automation": {"schedules:read", "schedules:write", "runs:read", "runs:write", "webhooks:receive"},
    "reporting": {"schedules:read", "runs:read", "logs:read", "org:read"},
    "notifications": {"runs:read", "webhooks:receive", "users:read"},
    "user_sync": {"users:read", "org:read"},
    "cost_reporting": {"billing:read", "runs:read", "org:read"},
    "secret_injection": {"secrets:read", "schedules:read"},
    "log_export": {"logs:read", "runs:read", "webhooks:receive"},
}
# Scopes that write or expose sensitive data: requesting one without a feature that needs it fails.
SENSITIVE_SCOPES = {"schedules:write", "runs:write", "secrets:read", "billing:read", "users:read"}
REQUIRED_LINKS = (
    ("documentation_url", "Documentation"),
    ("support_url", "Support"),
    ("privacy_policy_url", "Privacy policy"),
    ("terms_url", "Terms"),
)


@cache
def manifest_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def manifest_errors(manifest: Any) -> list[str]:
    """Every schema violation as "path: message", sorted by path (empty list when valid)."""
    validator = jsonschema.Draft202012Validator(manifest_schema())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


# --- the checks ----------------------------------------------------------------------------------------------


def check_manifest(version: AppVersion) -> Result:
    errors = manifest_errors(version.manifest)
    if errors:
        return (
            "fail",
            f"The manifest does not match the schema ({len(errors)} problem(s)).",
            {"errors": errors},
        )
    return "pass", "The manifest matches manifest schema v1.", {}


def _host_is_private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False  # unresolvable: the request itself reports it
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


# RFC 2606 / RFC 6761 names that never point at a real site: a placeholder the publisher must replace.
RESERVED_DOMAINS = ("example", "test", "invalid", "example.com", "example.org", "example.net")


def _is_placeholder(host: str) -> bool:
    return any(host == d or host.endswith(f".{d}") for d in RESERVED_DOMAINS)


def probe_link(url: str, *, timeout: float, slow_after: float, allow_private: bool) -> tuple[str, str]:
    """(status, message) for one URL: reachable (< 400) passes, slow warns, errors and timeouts fail."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "fail", "not an http(s) URL"
    host = parts.hostname.lower().rstrip(".")
    if _is_placeholder(host):
        return "warn", "placeholder domain (RFC 2606), not checked: use your real URL"
    if not allow_private and _host_is_private(parts.hostname):
        return "fail", "points at a private or local address"
    started = time.monotonic()
    try:
        with httpx.Client(
            timeout=timeout, follow_redirects=True, headers={"User-Agent": "NovaCron-QA/1"}
        ) as client:
            response = client.head(url)
            if response.status_code in (405, 501):  # servers that do not implement HEAD
                response = client.get(url)
    except httpx.TimeoutException:
        return "fail", f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return "fail", f"unreachable ({type(exc).__name__})"
    elapsed = time.monotonic() - started
    if response.status_code >= 400:
        return "fail", f"answered HTTP {response.status_code}"
    if elapsed > slow_after:
        return "warn", f"slow: answered in {elapsed:.1f} s"
    return "pass", f"HTTP {response.status_code} in {elapsed * 1000:.0f} ms"


def check_links(version: AppVersion) -> Result:
    app = version.app
    timeout = float(getattr(settings, "MARKETPLACE_LINK_TIMEOUT", 5))
    slow_after = float(getattr(settings, "MARKETPLACE_LINK_SLOW_SECONDS", 2))
    allow_private = bool(getattr(settings, "MARKETPLACE_LINK_CHECK_ALLOW_PRIVATE", settings.DEBUG))
    outcomes: dict[str, dict[str, str]] = {}
    for field, label in REQUIRED_LINKS:
        url = getattr(app, field)
        if not url:
            outcomes[label] = {"url": "", "status": "fail", "message": "missing"}
            continue
        status, message = probe_link(url, timeout=timeout, slow_after=slow_after, allow_private=allow_private)
        outcomes[label] = {"url": url, "status": status, "message": message}
    statuses = {o["status"] for o in outcomes.values()}
    summary = "; ".join(f"{label}: {o['message']}" for label, o in outcomes.items() if o["status"] != "pass")
    if "fail" in statuses:
        return "fail", summary, {"links": outcomes}
    if "warn" in statuses:
        return "warn", summary, {"links": outcomes}
    return "pass", "Every required link is present and reachable.", {"links": outcomes}


def check_scopes(version: AppVersion) -> Result:
    manifest = version.manifest if isinstance(version.manifest, dict) else {}
    scopes = set(manifest.get("scopes") or [])
    features = set(manifest.get("features") or [])
    justified = set().union(*(FEATURE_SCOPES.get(f, set()) for f in features)) if features else set()
    unjustified = sorted(scopes - justified)
    sensitive = [s for s in unjustified if s in SENSITIVE_SCOPES]
    problems: list[str] = []
    status = "pass"
    if "webhooks:receive" in scopes and not manifest.get("webhook_url"):
        problems.append("webhooks:receive is requested but no webhook_url is declared")
        status = "fail"
    if sensitive:
        problems.append(f"sensitive scope(s) not needed by any declared feature: {', '.join(sensitive)}")
        status = "fail"
    other = [s for s in unjustified if s not in SENSITIVE_SCOPES]
    if other:
        problems.append(f"scope(s) not needed by any declared feature: {', '.join(other)}")
        status = "fail" if status == "fail" else "warn"
    details = {"scopes": sorted(scopes), "features": sorted(features), "unjustified": unjustified}
    if problems:
        return status, "; ".join(problems) + ".", details
    return "pass", f"{len(scopes)} scope(s), each needed by a declared feature.", details


def check_screenshots(version: AppVersion) -> Result:
    app = version.app
    count = app.screenshots.count()
    if count == 0:
        return "fail", "Add at least one screenshot.", {"count": 0}
    notes = []
    if count < 3:
        notes.append(f"only {count} screenshot(s); listings with 3 or more convert better")
    if not app.logo:
        notes.append("no logo")
    if notes:
        return "warn", "; ".join(notes).capitalize() + ".", {"count": count}
    return "pass", f"{count} screenshots and a logo.", {"count": count}


def check_description(version: AppVersion) -> Result:
    app = version.app
    length = len((app.description or "").strip())
    if length < 100:
        return "fail", f"The description has {length} characters; write at least 100.", {"length": length}
    notes = []
    if length < 300:
        notes.append(f"the description is short ({length} characters; 300+ recommended)")
    if not version.changelog.strip():
        notes.append("the version has no changelog")
    if not app.languages.exists():
        notes.append("no supported language is declared")
    if notes:
        return "warn", "; ".join(notes).capitalize() + ".", {"length": length}
    return "pass", "The description, changelog and languages are complete.", {"length": length}


def _extract_python(bundle: Any, target: Path) -> int:
    count = 0
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir() or not name.endswith(".py") or name.startswith("/") or ".." in name.split("/"):
                continue
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(info))
            count += 1
    return count


def check_security(version: AppVersion) -> Result:
    """bandit over the Python files of the uploaded source bundle, in a subprocess with a timeout."""
    if not version.source_bundle:
        return "pass", "No source bundle uploaded; nothing to scan.", {}
    timeout = float(getattr(settings, "MARKETPLACE_BANDIT_TIMEOUT", 120))
    with tempfile.TemporaryDirectory(prefix="mkt-bandit-") as tmp:
        with version.source_bundle.open("rb") as bundle:
            try:
                count = _extract_python(bundle, Path(tmp))
            except zipfile.BadZipFile:
                return "fail", "The source bundle is not a readable zip file.", {}
        if count == 0:
            return "pass", "The bundle has no Python files to scan.", {}
        try:
            completed = subprocess.run(  # noqa: S603 (fixed argv, no shell)
                [sys.executable, "-m", "bandit", "-r", tmp, "-f", "json", "-q"],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "fail", f"The security scan did not finish within {timeout:g} s.", {}
    try:
        report = json.loads(completed.stdout or b"{}")
    except json.JSONDecodeError:
        return "fail", "The security scanner failed to run.", {"stderr": completed.stderr.decode()[-2000:]}
    findings = [
        {
            "file": str(Path(item["filename"]).relative_to(tmp))
            if item["filename"].startswith(tmp)
            else item["filename"],
            "line": item.get("line_number"),
            "test": item.get("test_id"),
            "severity": item.get("issue_severity"),
            "confidence": item.get("issue_confidence"),
            "text": item.get("issue_text"),
        }
        for item in report.get("results", [])
    ]
    high = [f for f in findings if f["severity"] == "HIGH" and f["confidence"] in ("HIGH", "MEDIUM")]
    medium = [f for f in findings if f["severity"] in ("HIGH", "MEDIUM") and f not in high]
    details = {"files": count, "findings": findings[:100]}
    if high:
        first = high[0]
        return (
            "fail",
            f"{len(high)} high-severity finding(s), e.g. {first['test']} in {first['file']}:{first['line']}: {first['text']}",
            details,
        )
    if medium:
        return "warn", f"{len(medium)} medium-severity finding(s) to look at.", details
    return "pass", f"Scanned {count} Python file(s): no medium or high findings.", details


CHECKS: dict[str, Callable[[AppVersion], Result]] = {
    "manifest": check_manifest,
    "links": check_links,
    "scopes": check_scopes,
    "screenshots": check_screenshots,
    "description": check_description,
    "security": check_security,
}
CHECK_LABELS = {
    "manifest": "Manifest schema",
    "links": "Required links reachable",
    "scopes": "Scopes match declared features",
    "screenshots": "Screenshots and logo",
    "description": "Description completeness",
    "security": "Security scan (bandit)",
}


# --- running ---------------------------------------------------------------------------------------------------


def checks_prepare(*, version_id: int, run: int) -> list[str]:
    """Create the pending result rows of a submission (idempotent) and return the check names to run."""
    version = AppVersion.objects.filter(
        pk=version_id, submission=run, state=AppVersion.State.SUBMITTED
    ).first()
    if version is None:
        return []
    for name in CHECKS:
        try:
            with transaction.atomic():
                CheckResult.objects.get_or_create(version=version, run=run, check_name=name)
        except IntegrityError:  # created concurrently
            pass
    return list(CHECKS)


def check_run(*, version_id: int, run: int, name: str, now: Any = None) -> CheckResult | None:
    """Run one check for submission `run` and store its result; gate the version when it was the last one.
    Safe to run twice: a finished check is not run again; a superseded submission is ignored."""
    version = AppVersion.objects.select_related("app").filter(pk=version_id).first()
    if version is None or version.submission != run or version.state != AppVersion.State.SUBMITTED:
        return None
    result, _ = CheckResult.objects.get_or_create(version=version, run=run, check_name=name)
    if result.status != CheckResult.Status.PENDING:
        return result
    started = timezone.now()
    try:
        status, message, details = CHECKS[name](version)
    except Exception as exc:  # a crashing check must not leave the submission pending forever
        status, message, details = "fail", f"The check crashed: {type(exc).__name__}: {exc}", {}
    with transaction.atomic():
        locked = AppVersion.objects.select_for_update().get(pk=version_id)
        result = CheckResult.objects.select_for_update().get(pk=result.pk)
        if result.status == CheckResult.Status.PENDING:
            result.status, result.message, result.details = status, message[:4000], details
            result.started_at, result.finished_at = started, now or timezone.now()
            result.save()
        if locked.state == AppVersion.State.SUBMITTED and locked.submission == run:
            rows = list(CheckResult.objects.filter(version=locked, run=run))
            if len(rows) >= len(CHECKS) and all(r.status != CheckResult.Status.PENDING for r in rows):
                version_gate(
                    version=locked,
                    run=run,
                    results=[(r.check_name, r.status, r.message) for r in rows],
                    now=now,
                )
    return result


def checks_latest(version: AppVersion) -> list[CheckResult]:
    """The results of the version's latest submission, in CHECKS order."""
    if not version.submission:
        return []
    prefetched = getattr(version, "latest_checks", None)  # selectors.console.with_latest_checks
    found = prefetched if prefetched is not None else version.checks.filter(run=version.submission)
    rows = {r.check_name: r for r in found}
    return [rows[name] for name in CHECKS if name in rows]
