"""What Learn sells through revenue's checkout, registered from CertificationConfig.ready.

"certification.enrolment": a paid course, item id = the course's public id, optionally followed by
":<cohort public id>" to join a cohort run. The seller is the platform, or the instructor's developer seller
when the course is marked `instructor_sells` (then the 70/30 revenue share applies). `on_paid` enrols the buyer
(idempotent: a retried hook finds the enrolment); a full refund withdraws the enrolment.
"""

from __future__ import annotations

import uuid

from certification.models import Cohort, Course, Enrolment
from certification.services.learning import enrolment_create, enrolment_withdraw, missing_prerequisites
from novacron.accounts.facade import user_get
from novacron.core.exceptions import ValidationError
from revenue import facade as revenue

ENROLMENT = "certification.enrolment"


def enrolment_item_id(course: Course, cohort: Cohort | None) -> str:
    """The checkout item id for a course (and optional cohort run); `_parse` reads it back."""
    return f"{course.public_id}:{cohort.public_id}" if cohort else str(course.public_id)


def _parse(item_id: str) -> tuple[Course, Cohort | None]:
    course_ref, _, cohort_ref = str(item_id).partition(":")
    try:
        course = Course.objects.filter(public_id=uuid.UUID(course_ref), is_published=True).first()
        cohort = Cohort.objects.filter(public_id=uuid.UUID(cohort_ref)).first() if cohort_ref else None
    except ValueError:
        course, cohort = None, None
    if course is None:
        raise revenue.UnknownItem(f'No course "{item_id}".')
    if cohort_ref and (cohort is None or cohort.course_id != course.pk):
        raise ValidationError("That cohort does not belong to this course.", field="items")
    return course, cohort


def seller_for(course: Course) -> int:
    if course.instructor_sells and course.instructor_id:
        instructor = user_get(course.instructor_id)
        if instructor is not None:
            return revenue.seller_for_user(instructor.id, instructor.name)
    return revenue.platform_seller_id()


def resolve(*, item_id: str, quantity: int, buyer_id: int, currency: str) -> revenue.PricedItem:
    course, cohort = _parse(item_id)
    if course.is_free:
        raise ValidationError(f'"{course.title}" is free: enrol without checkout.', field="items")
    if quantity != 1:
        raise ValidationError("A course enrolment is bought once per learner.", field="items")
    if (
        Enrolment.objects.filter(user_id=buyer_id, course=course)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exists()
    ):
        raise ValidationError(
            f'You are already enrolled in "{course.title}".', field="items", code="already_enrolled"
        )
    missing = missing_prerequisites(user_id=buyer_id, course=course)
    if missing:
        raise ValidationError(
            "Complete the prerequisites first: " + ", ".join(c.title for c in missing) + ".", field="items"
        )
    return revenue.PricedItem(
        seller_id=seller_for(course),
        item_type=ENROLMENT,
        item_id=item_id,
        description=f"Course: {course.title}" + (f" ({cohort.name})" if cohort else ""),
        unit_amount=course.price_amount,
        currency=course.price_currency,
        quantity=1,
        metadata={"course": str(course.public_id), "cohort": str(cohort.public_id) if cohort else ""},
    )


def on_paid(line: revenue.SoldLine) -> None:
    course, cohort = _parse(line.item_id)
    enrolment_create(
        user_id=line.buyer_id,
        course=course,
        cohort=cohort,
        source=Enrolment.Source.PAID,
        order_id=line.order_id,
    )


def on_refunded(line: revenue.SoldLine) -> None:
    if not line.metadata.get("fully_refunded"):
        return  # a partial refund (goodwill) keeps the seat
    enrolment = Enrolment.objects.filter(user_id=line.buyer_id, order_id=line.order_id).first()
    if enrolment is not None:
        enrolment_withdraw(enrolment=enrolment, reason=f"order {line.order_id} refunded")


def register() -> None:
    revenue.register_item_type(
        revenue.ItemType(name=ENROLMENT, resolve=resolve, on_paid=on_paid, on_refunded=on_refunded)
    )
