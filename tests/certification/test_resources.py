"""Lesson files are for the course's learners: served by a download page behind the enrolment, never at a public
media URL; links stay links."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from certification.models import Resource
from certification.services.learning import enrolment_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resources(catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lesson = catalog["lessons"][0]
    sheet = Resource(lesson=lesson, title="Cheat sheet")
    sheet.file.save("cheatsheet.txt", ContentFile(b"consistent hashing"), save=True)
    link = Resource.objects.create(lesson=lesson, title="Paper", url="https://example.org/paper.pdf")
    return lesson, sheet, link


def test_an_enrolled_learner_downloads_the_file(client, catalog, learner, resources):
    lesson, sheet, link = resources
    enrolment_create(user_id=learner.pk, course=catalog["course"])
    client.force_login(learner)
    page = client.get(
        reverse("certification:lesson", kwargs={"slug": "ds-101", "lesson_id": lesson.public_id})
    ).content.decode()
    assert sheet.href in page
    assert link.url in page
    assert "/media/" not in sheet.href
    response = client.get(sheet.href)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"consistent hashing"
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/media/{sheet.file.name}").status_code == 404  # never public


def test_others_get_404(client, catalog, resources):
    _lesson, sheet, link = resources
    assert client.get(sheet.href).status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get(sheet.href).status_code == 404  # not enrolled
    link_url = sheet.href.replace(f"/{sheet.pk}/", f"/{link.pk}/")
    assert client.get(link_url).status_code == 404
