from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404

from certification.models import Course

TEACH_PERMISSION = "accounts.teach"


def can_teach(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_perm(TEACH_PERMISSION))


def instructor_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_teach(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def authored_course(request, slug: str) -> Course:
    """A course the user may edit: their own, or any for staff (others' courses are 404)."""
    course = get_object_or_404(Course, slug=slug)
    if not request.user.is_staff and course.instructor_id != request.user.pk:
        raise DjangoPermissionDenied
    return course


def flash_error(request, exc) -> None:
    messages.error(request, getattr(exc, "message", str(exc)))
