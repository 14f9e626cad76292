"""/community/conferences/ lists upcoming and past conferences (dates, location, link to each page), reachable
from the community navigation; GET /api/v1/growth/conferences/ gives the same list."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from growth.models import Conference, Event
from tests.growth.factories import ChapterFactory, EventFactory

pytestmark = pytest.mark.django_db


def _conference(slug: str, *, days: int, state: str = "published", **event) -> Conference:
    starts = timezone.now() + timedelta(days=days)
    return Conference.objects.create(
        slug=slug,
        name=slug.replace("-", " ").title(),
        event=EventFactory(
            slug=f"{slug}-event",
            chapter=event.pop("chapter", None),
            starts_at=starts,
            ends_at=starts + timedelta(days=1),
            state=state,
            **event,
        ),
    )


@pytest.fixture
def conferences():
    berlin = ChapterFactory(city="Berlin", country="DE")
    return {
        "soon": _conference("summit-soon", days=30, venue_name="RAI Amsterdam", timezone="Europe/Amsterdam"),
        "later": _conference("devday-later", days=90, chapter=berlin, venue_name="Loft"),
        "last": _conference("summit-last", days=-200, format=Event.Format.VIRTUAL),
        "older": _conference("summit-older", days=-500),
        "draft": _conference("secret-draft", days=10, state="draft"),
    }


def test_the_page_lists_upcoming_then_past_conferences_with_dates_location_and_links(conferences):
    # when anyone opens the conferences page
    response = Client().get("/community/conferences/")

    # then upcoming (soonest first) come before past (latest first), each linked, drafts hidden
    assert response.status_code == 200
    html = response.content.decode()
    order = [html.index(f'href="/community/conferences/{slug}/"') for slug in ("summit-soon", "devday-later")]
    order += [
        html.index(f'href="/community/conferences/{slug}/"') for slug in ("summit-last", "summit-older")
    ]
    assert order == sorted(order)
    assert html.index("Upcoming") < order[0]
    assert order[1] < html.index("Past") < order[2]
    assert "secret-draft" not in html
    assert "RAI Amsterdam" in html
    assert "Loft · Berlin, DE" in html
    assert "Online" in html
    soon = conferences["soon"].event.starts_at.astimezone(timezone.get_fixed_timezone(0))
    assert soon.strftime("%d %b %Y") in html  # the date, shown in the event's timezone and the viewer's


def test_the_community_navigation_and_overview_link_to_the_page(conferences):
    for url in ("/community/", "/community/events/", "/community/conferences/summit-soon/"):
        assert 'href="/community/conferences/"' in Client().get(url).content.decode(), url


def test_the_api_lists_the_same_conferences_and_filters_upcoming_and_past(conferences):
    api = APIClient()

    everything = api.get("/api/v1/growth/conferences/").json()["results"]
    upcoming = api.get("/api/v1/growth/conferences/?when=upcoming").json()["results"]
    past = api.get("/api/v1/growth/conferences/?when=past").json()["results"]

    assert [c["slug"] for c in everything] == ["summit-older", "summit-last", "summit-soon", "devday-later"]
    assert [c["slug"] for c in upcoming] == ["summit-soon", "devday-later"]
    assert [c["slug"] for c in past] == ["summit-last", "summit-older"]
    soon = upcoming[0]
    assert soon["location"] == "RAI Amsterdam"
    assert soon["timezone"] == "Europe/Amsterdam"
    assert soon["upcoming"] is True
    assert soon["url"] == "http://testserver/community/conferences/summit-soon/"
    assert soon["starts_at_local"].endswith(("+01:00", "+02:00"))
    assert past[0]["location"] == "Online"
    assert past[0]["upcoming"] is False


def test_the_api_refuses_an_unknown_filter_with_a_field_message(conferences):
    response = APIClient().get("/api/v1/growth/conferences/?when=tomorrow")

    assert response.status_code == 400
    assert "when" in response.json()["error"]["fields"]
