"""Factories for the community tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from growth.models import (
    Chapter,
    ChapterOrganiser,
    Conference,
    Event,
    Quota,
    ReviewCriterion,
    ReviewTeam,
    Room,
    SpeakerProfile,
    SubmissionType,
    TicketType,
    Track,
)
from tests.factories import UserFactory


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    name = factory.Sequence(lambda n: f"NovaCron City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    city = factory.Sequence(lambda n: f"City {n}")
    country = "DE"
    region = "europe"
    timezone = "Europe/Berlin"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Meetup {n}")
    slug = factory.Sequence(lambda n: f"meetup-{n}")
    chapter = factory.SubFactory(ChapterFactory)
    venue_name = "Loft"
    venue_address = "Secret street 1"
    timezone = "Europe/Berlin"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    capacity = 2


def organiser_of(chapter):
    user = UserFactory()
    ChapterOrganiser.objects.create(chapter=chapter, user=user, is_lead=True)
    return user


def ticketed_event(*, seats=100, price=10000, currency="USD", chapter=None, created_by=None, **kwargs):
    """A platform (or chapter) event with one quota of `seats` and an in-person type on it."""
    event = EventFactory(chapter=chapter, is_ticketed=True, capacity=None, created_by=created_by, **kwargs)
    quota = Quota.objects.create(event=event, name="Venue", size=seats)
    ticket_type = TicketType.objects.create(event=event, name="In person", price=price, currency=currency)
    ticket_type.quotas.add(quota)
    return event, quota, ticket_type


def conference_setup(*, organiser=None, reviewer=None):
    event = EventFactory(chapter=None, is_ticketed=True, capacity=None, title="Summit", slug="summit-event")
    conference = Conference.objects.create(
        slug="summit",
        name="Summit",
        event=event,
        cfp_opens_at=timezone.now() - timedelta(days=1),
        cfp_closes_at=timezone.now() + timedelta(days=30),
    )
    if organiser is not None:
        conference.organisers.add(organiser)
    track = Track.objects.create(conference=conference, name="Platform")
    talk = SubmissionType.objects.create(conference=conference, kind="talk", duration_minutes=30)
    ReviewCriterion.objects.create(conference=conference, name="Relevance", weight=3)
    ReviewCriterion.objects.create(conference=conference, name="Clarity", weight=1)
    team = ReviewTeam.objects.create(conference=conference, track=track, name="Platform reviewers")
    if reviewer is not None:
        team.members.add(reviewer)
    rooms = [
        Room.objects.create(conference=conference, name=n, position=i) for i, n in enumerate(("Hall", "A"))
    ]
    return conference, track, talk, rooms


def speaker(**kwargs):
    user = UserFactory(**kwargs)
    SpeakerProfile.objects.create(user=user, name=user.display_name, company="Initech", bio="Builds things.")
    return user
