import io

import pytest
from django.utils import timezone

from certification import demo
from certification.models import Certificate, Course, Exam, Item, LessonTranslation, Track
from certification.services.certificates import verify_token
from novacron.accounts import demo as accounts_demo


@pytest.mark.django_db
def test_demo_seed_is_complete_and_idempotent():
    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    counts = (
        Track.objects.count(),
        Course.objects.count(),
        Item.objects.count(),
        Certificate.objects.count(),
    )
    demo.seed(io.StringIO())

    assert counts == (
        Track.objects.count(),
        Course.objects.count(),
        Item.objects.count(),
        Certificate.objects.count(),
    )
    assert counts[0] == 10
    for track in Track.objects.all():
        assert track.items.count() >= 20
        assert Exam.objects.filter(certification__track=track).exists()
    assert set(LessonTranslation.objects.values_list("language", flat=True)) == {"es", "de"}
    lea = Certificate.objects.get(user__email="learner@demo.novacron.dev")
    assert verify_token(lea.jwt).valid
    assert Certificate.objects.filter(status=Certificate.Status.REVOKED).count() == 1
    assert Certificate.objects.filter(expires_at__lt=timezone.now()).count() == 1
