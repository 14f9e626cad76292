"""Dashboards: the learner's, the instructor's and staff platform metrics; the portal dashboard panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from certification import selectors
from certification.forms import ProfileForm
from certification.models import LearnerProfile
from certification.services.authoring import content_save
from certification.views.common import can_teach, instructor_required


def panel_context(request: HttpRequest) -> dict:
    if not request.user.is_authenticated:
        return {"panel": {}}
    return {"panel": selectors.learner_panel(request.user, limit=3)}


@login_required
def learner(request: HttpRequest) -> HttpResponse:
    profile = LearnerProfile.objects.filter(user=request.user).first()
    if profile is None:
        profile = LearnerProfile(
            user=request.user,
            handle=slugify(request.user.get_short_name() or "learner")[:40] + f"-{request.user.pk}",
        )
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        content_save(instance=form.instance, actor=request.user)
        messages.success(request, "Profile saved.")
        return redirect("certification:me")
    return render(
        request,
        "certification/me.html",
        {
            **selectors.learner_dashboard(request.user),
            "profile_form": form,
            "profile": profile,
            "can_teach": can_teach(request.user),
        },
    )


@instructor_required
def instructor(request: HttpRequest) -> HttpResponse:
    return render(request, "certification/teach.html", selectors.instructor_dashboard(request.user))


@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_staff or request.user.has_perm("accounts.view_metrics")):
        raise DjangoPermissionDenied
    return render(request, "certification/metrics.html", {"m": selectors.platform_metrics()})
