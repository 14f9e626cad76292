"""Public, stable URLs of the issuer (profile and keys, status list, JSON-LD contexts), the public
verification pages, and the holder's certificate page with its downloads."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from certification import vc
from certification.forms import RevokeForm, VerifyForm
from certification.models import Certificate, Exam, LearnerProfile
from certification.selectors import public_certificates
from certification.services import certificates as cert_service
from certification.services.exams import RECERTIFICATION_WINDOW_DAYS, eligibility
from certification.services.keys import issuer_id, published_keys
from certification.services.pdf import certificate_pdf
from certification.views.common import flash_error
from novacron.core.exceptions import DomainError

LD_JSON = "application/ld+json"


def _json(data, content_type="application/json") -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"  # public documents any verifier may fetch
    return response


@cache_control(public=True, max_age=300)
def issuer_profile(request: HttpRequest) -> HttpResponse:
    return _json(cert_service.issuer_profile(), LD_JSON)


@cache_control(public=True, max_age=300)
def issuer_jwks(request: HttpRequest) -> HttpResponse:
    return _json({"keys": list(published_keys().values())}, "application/jwk-set+json")


@cache_control(public=True, max_age=60)
def status_list(request: HttpRequest, name: str) -> HttpResponse:
    if name != cert_service.STATUS_LIST_NAME:
        raise Http404
    response = HttpResponse(cert_service.status_list_credential(), content_type=vc.MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@cache_control(public=True, max_age=86400)
def context_file(request: HttpRequest, name: str) -> HttpResponse:
    files = {f: url for url, f in {**vc.CONTEXT_FILES, **vc.SCHEMA_FILES}.items()}
    if name not in files:
        raise Http404
    url = files[name]
    document = vc.context_document(url) if url in vc.CONTEXT_FILES else vc.schema_document(url)
    return _json(document, LD_JSON if name.endswith(".jsonld") else "application/schema+json")


def _report_context(report: vc.Report, certificate: Certificate | None = None) -> dict:
    credential = report.credential or {}
    subject = credential.get("credentialSubject") or {}
    names = [i.get("identityHash") for i in subject.get("identifier", []) if i.get("identityType") == "name"]
    return {
        "report": report,
        "certificate": certificate,
        "credential": credential,
        "recipient": names[0] if names else "",
        "achievement": subject.get("achievement") or {},
        "credential_json": json.dumps(credential, indent=2) if credential else "",
    }


def credential_page(request: HttpRequest, public_id) -> HttpResponse:
    """The credential's id URL: a public verification of the stored, signed credential."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("certification__track"), public_id=public_id
    )
    accept = request.headers.get("Accept", "")
    if vc.MEDIA_TYPE in accept:
        return HttpResponse(certificate.jwt, content_type=vc.MEDIA_TYPE)
    report = cert_service.verify_token(certificate.jwt)
    return render(request, "certification/verify_result.html", _report_context(report, certificate))


def verify(request: HttpRequest) -> HttpResponse:
    """Paste any credential (ours or a tampered copy) and see every check."""
    form = VerifyForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            token = vc.unwrap(form.cleaned_data["credential"])
        except ValueError as exc:
            form.add_error("credential", str(exc))
        else:
            report = cert_service.verify_token(token)
            context.update(_report_context(report))
            certificate = Certificate.objects.filter(jwt=token).first()
            context["certificate"] = certificate
            return render(request, "certification/verify_result.html", context)
    return render(request, "certification/verify.html", context)


def credential_download(request: HttpRequest, public_id, fmt: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, public_id=public_id)
    if fmt == "jwt":
        response = HttpResponse(certificate.jwt, content_type=vc.MEDIA_TYPE)
        filename = f"certificate-{certificate.public_id}.jwt"
    else:
        # The VC 2.0 EnvelopedVerifiableCredential: JSON that carries the signed JWT, so it verifies as-is.
        response = HttpResponse(
            json.dumps(vc.enveloped(certificate.jwt), indent=2), content_type="application/json"
        )
        filename = f"certificate-{certificate.public_id}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def credential_pdf(request: HttpRequest, public_id) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.select_related("certification__track"), public_id=public_id
    )
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.public_id}.pdf"'
    return response


@login_required
def certificate_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The holder's (or staff's) page: share link, downloads, recertification, and revocation for staff."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("certification__track"), public_id=public_id
    )
    if certificate.user_id != request.user.pk and not request.user.is_staff:
        raise Http404
    now = timezone.now()
    recert = Exam.objects.filter(
        certification=certificate.certification, kind=Exam.Kind.RECERTIFICATION, is_active=True
    ).first()
    return render(
        request,
        "certification/certificate.html",
        {
            "certificate": certificate,
            "share_url": cert_service.credential_url(certificate),
            "recert_exam": recert,
            "recert_reason": eligibility(user_id=certificate.user_id, exam=recert, now=now)
            if recert
            else None,
            "recert_opens": certificate.expires_at - timedelta(days=RECERTIFICATION_WINDOW_DAYS),
            "expired": certificate.expires_at <= now,
            "revoke_form": RevokeForm(),
        },
    )


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, public_id) -> HttpResponse:
    if not request.user.is_staff:
        raise DjangoPermissionDenied
    certificate = get_object_or_404(Certificate, public_id=public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the revocation.")
    else:
        try:
            cert_service.certificate_revoke(
                certificate=certificate, reason=form.cleaned_data["reason"], actor=request.user
            )
            messages.success(request, "The certificate is revoked; verifiers see it through the status list.")
        except DomainError as exc:
            flash_error(request, exc)
    return redirect("certification:certificate", public_id=public_id)


def public_profile(request: HttpRequest, handle: str) -> HttpResponse:
    profile = get_object_or_404(LearnerProfile, handle=handle, is_public=True)
    return render(
        request,
        "certification/public_profile.html",
        {"profile": profile, "certificates": public_certificates(profile.user_id), "issuer": issuer_id()},
    )
