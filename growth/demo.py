"""Community demo data for `seed_demo`: 126 chapters generated from a table of real cities, organiser resources,
meetups with RSVPs and a waitlist, funding requests (one paid through revenue), and the NovaCron Summit with its
CfP, anonymised reviews, a released schedule (two versions), tickets sold through revenue, a check-in, sponsors
with a captured lead and session Q&A. Everything that has a service goes through it.

Idempotent: rows are looked up by slug or natural key before they are created, and each story (purchase,
reviews, schedule) runs only when its marker is absent. Runs after the accounts and revenue seeders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from growth.demo_cities import CITIES
from growth.demo_conferences import past_summit
from growth.models import (
    RSVP,
    CfPQuestion,
    Chapter,
    ChapterMember,
    ChapterOrganiser,
    Conference,
    Event,
    FundingRequest,
    Question,
    Quota,
    Resource,
    ReviewCriterion,
    ReviewTeam,
    Room,
    ScheduleRelease,
    Sponsor,
    SponsorTier,
    Submission,
    SubmissionType,
    Ticket,
    TicketType,
    Track,
    Voucher,
)
from growth.timezones import in_zone

DOMAIN = "demo.novacron.dev"
CARD_OK = "4242424242424242"
SUMMIT = "novacron-summit-2027"

RESOURCES = [
    (
        "venue-request-letter",
        "Venue request letter",
        "template",
        "Ask a company to host your meetup.",
        "Dear {host},\n\nThe NovaCron {city} user group meets monthly ...",
    ),
    (
        "sponsor-letter",
        "Sponsor letter",
        "template",
        "Ask for pizza and drinks money.",
        "Hello {sponsor},\n\nWe run the NovaCron {city} user group ...",
    ),
    (
        "call-for-speakers",
        "Call for speakers post",
        "template",
        "Find speakers for your next meetup.",
        "We're looking for speakers for our next NovaCron meetup ...",
    ),
    (
        "first-meetup",
        "Running your first meetup",
        "guide",
        "A checklist from venue to follow-up.",
        "## Before\n\n- Pick a date four weeks out\n- Book the venue\n\n## On the day\n\n- Check people in\n",
    ),
    (
        "funding-guide",
        "Getting event funding",
        "guide",
        "What we fund and how to ask.",
        "The community team funds venues, food and travel for speakers. Request it from Organiser tools ...",
    ),
    (
        "slide-template",
        "Slide template",
        "material",
        "NovaCron-branded slides.",
        "Use these slides for intros.",
    ),
]


def _user(local: str) -> Any:
    return get_user_model().objects.filter(email=f"{local}@{DOMAIN}").first()


def _local(tz: str, when: datetime, hour: int, minute: int = 0) -> datetime:
    return in_zone(when, tz).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _chapters(organiser: Any, members: list[Any]) -> list[Chapter]:
    existing = set(Chapter.objects.values_list("slug", flat=True))
    new = []
    for city, country, region, tz, language in CITIES:
        slug = f"novacron-{slugify(city)}"
        if slug not in existing:
            new.append(
                Chapter(
                    slug=slug,
                    name=f"NovaCron {city}",
                    city=city,
                    country=country,
                    region=region,
                    timezone=tz,
                    language=language,
                    description=f"The NovaCron user group of {city}: talks, workshops and people "
                    "who schedule things for a living.",
                )
            )
    Chapter.objects.bulk_create(new)
    chapters = list(
        Chapter.objects.filter(slug__in=[f"novacron-{slugify(c[0])}" for c in CITIES]).order_by("pk")
    )
    if organiser is not None:
        for slug in ("novacron-berlin", "novacron-sao-paulo"):
            chapter = Chapter.objects.get(slug=slug)
            ChapterOrganiser.objects.get_or_create(
                chapter=chapter, user=organiser, defaults={"is_lead": True}
            )
            ChapterMember.objects.get_or_create(chapter=chapter, user=organiser)
    berlin = Chapter.objects.get(slug="novacron-berlin")
    for member in members:
        ChapterMember.objects.get_or_create(chapter=berlin, user=member)
    return chapters


def _meetups(chapters: list[Chapter], organiser: Any, now: datetime) -> list[Event]:
    events = []
    for index, chapter in enumerate(chapters[::9]):  # every ninth chapter: spread over the regions
        slug = f"{chapter.slug}-meetup"
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            starts = _local(chapter.timezone, now + timedelta(days=14 + index * 3), 18, 30)
            event = Event.objects.create(
                slug=slug,
                chapter=chapter,
                title=f"{chapter.name} meetup: scheduling at scale",
                description="Two talks, then pizza and conversation.",
                format=Event.Format.IN_PERSON,
                venue_name="Community space",
                venue_address=f"Main street 1, {chapter.city}",
                timezone=chapter.timezone,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                capacity=40,
                created_by=organiser if chapter.slug in ("novacron-berlin", "novacron-sao-paulo") else None,
            )
        events.append(event)
    return events


def _berlin_rsvps(now: datetime) -> Event:
    """A tiny hybrid meetup that is full, with a waitlist: shows RSVP, waitlist and promotion."""
    from growth.services.rsvps import rsvp_cancel, rsvp_create

    berlin = Chapter.objects.get(slug="novacron-berlin")
    organiser = _user("organiser")
    event, created = Event.objects.get_or_create(
        slug="berlin-hands-on-evening",
        defaults={
            "chapter": berlin,
            "title": "Hands-on evening: NovaCron workflows",
            "format": Event.Format.HYBRID,
            "description": "Bring a laptop. Small room: eight seats.",
            "venue_name": "Kreuzberg Loft",
            "venue_address": "Skalitzer Straße 1, 10999 Berlin",
            "stream_url": "https://stream.novacron.dev/berlin",
            "timezone": "Europe/Berlin",
            "starts_at": _local("Europe/Berlin", now + timedelta(days=10), 18, 30),
            "ends_at": _local("Europe/Berlin", now + timedelta(days=10), 21, 0),
            "capacity": 3,
            "created_by": organiser,
        },
    )
    if created:
        people = [_user(n) for n in ("learner", "buyer", "developer", "instructor", "reviewer")]
        rsvps = [rsvp_create(event=event, user=p, now=now) for p in people if p is not None]
        if rsvps:  # the developer cancels: the instructor (first on the waitlist) is promoted and emailed
            developer = next((r for r in rsvps if r.user.email.startswith("developer@")), None)
            if developer is not None:
                rsvp_cancel(rsvp=developer, actor=developer.user, now=now)
    return event


def _funding(organiser: Any, staff: Any) -> None:
    from growth.services.funding import funding_approve, funding_request

    if organiser is None or FundingRequest.objects.filter(requested_by=organiser).exists():
        return
    berlin = Chapter.objects.get(slug="novacron-berlin")
    paid = funding_request(
        chapter=berlin,
        actor=organiser,
        title="Hands-on evening: pizza and drinks",
        purpose="Food and drinks for eight people; a stream microphone.",
        currency="EUR",
        budget=[{"label": "Pizza and drinks", "amount": 12000}, {"label": "Microphone", "amount": 4500}],
    )
    if staff is not None:
        funding_approve(request=paid, actor=staff, note="Enjoy the evening!")
    sao_paulo = Chapter.objects.get(slug="novacron-sao-paulo")
    funding_request(
        chapter=sao_paulo,
        actor=organiser,
        title="Venue for the quarterly meetup",
        purpose="A bigger room for 120 people.",
        currency="USD",
        budget=[{"label": "Venue rental", "amount": 40000}, {"label": "Catering", "amount": 25000}],
    )


def _summit(now: datetime, staff: Any) -> Conference:
    tz = "Europe/Amsterdam"
    start = _local(tz, now + timedelta(days=120), 9, 0)
    event, _ = Event.objects.get_or_create(
        slug=SUMMIT,
        defaults={
            "title": "NovaCron Summit 2027",
            "format": Event.Format.HYBRID,
            "timezone": tz,
            "description": "The annual NovaCron conference: three tracks, workshops and 10,000 people.",
            "venue_name": "RAI Amsterdam",
            "venue_address": "Europaplein 24, 1078 GZ Amsterdam",
            "stream_url": "https://stream.novacron.dev/summit",
            "starts_at": start,
            "ends_at": start + timedelta(days=1, hours=9),
            "is_ticketed": True,
            "offer_hours": 24,
            "created_by": staff,
        },
    )
    venue, _ = Quota.objects.get_or_create(event=event, name="Venue", defaults={"size": 10_000})
    virtual, _ = Quota.objects.get_or_create(event=event, name="Virtual platform", defaults={"size": 50_000})
    workshops, _ = Quota.objects.get_or_create(event=event, name="Workshop rooms", defaults={"size": 300})
    for position, (name, kind, price, quota) in enumerate(
        [
            ("In person", "in_person", 69900, venue),
            ("Student", "student", 19900, venue),
            ("Virtual", "virtual", 9900, virtual),
            ("Workshop add-on", "workshop", 14900, workshops),
        ]
    ):
        ticket_type, created = TicketType.objects.get_or_create(
            event=event,
            name=name,
            defaults={"kind": kind, "price": price, "currency": "USD", "position": position},
        )
        if created:
            ticket_type.quotas.add(quota)
    Voucher.objects.get_or_create(
        event=event, code="COMMUNITY20", defaults={"kind": "percent", "value": 20, "max_uses": 100}
    )
    conference, _ = Conference.objects.get_or_create(
        slug="summit-2027",
        defaults={
            "name": "NovaCron Summit 2027",
            "event": event,
            "cfp_opens_at": now - timedelta(days=7),
            "cfp_closes_at": now + timedelta(days=60),
            "cfp_intro": "Tell us what you built, broke and learned. Review is anonymous.",
        },
    )
    if staff is not None:
        conference.organisers.add(staff)
    for name in ("Platform", "Operations", "Developer experience"):
        Track.objects.get_or_create(conference=conference, name=name)
    for kind, minutes in (("talk", 30), ("workshop", 120), ("keynote", 45), ("lightning", 10)):
        SubmissionType.objects.get_or_create(
            conference=conference, kind=kind, defaults={"duration_minutes": minutes}
        )
    CfPQuestion.objects.get_or_create(
        conference=conference, text="Have you given this talk before?", defaults={"position": 1}
    )
    CfPQuestion.objects.get_or_create(
        conference=conference,
        text="Any accessibility needs we should plan for?",
        defaults={"position": 2, "visible_to_reviewers": False},
    )
    for position, (name, weight) in enumerate((("Relevance", 3), ("Clarity", 2), ("Originality", 1))):
        ReviewCriterion.objects.get_or_create(
            conference=conference, name=name, defaults={"weight": weight, "position": position}
        )
    for position, name in enumerate(("Main hall", "Room A", "Room B")):
        Room.objects.get_or_create(
            conference=conference,
            name=name,
            defaults={
                "position": position,
                "capacity": 3000 if position == 0 else 500,
                "stream_url": f"https://stream.novacron.dev/summit/{slugify(name)}",
            },
        )
    reviewer = _user("reviewer")
    for track in conference.tracks.all():
        team, _ = ReviewTeam.objects.get_or_create(
            conference=conference, track=track, defaults={"name": f"{track.name} reviewers"}
        )
        if reviewer is not None:
            team.members.add(reviewer)
    return conference


TALKS = [
    (
        "developer",
        "Platform",
        "talk",
        "Scheduling a million jobs a day without losing one",
        "How we partitioned the job queue, what broke at 10x, and the three metrics that warn us early.",
    ),
    (
        "developer",
        "Developer experience",
        "workshop",
        "Build your first NovaCron integration",
        "A hands-on workshop: from the SDK to a published marketplace app in two hours.",
    ),
    (
        "instructor",
        "Operations",
        "talk",
        "Runbooks that run themselves",
        "Turning incident runbooks into NovaCron workflows, with the failures we met on the way.",
    ),
    (
        "instructor",
        "Platform",
        "lightning",
        "Cron syntax is a user interface",
        "Ten minutes on why people get schedules wrong and how the editor helps.",
    ),
    (
        "learner",
        "Operations",
        "talk",
        "Migrating 4,000 crontabs in a weekend",
        "A migration story with a spreadsheet, a script and a lot of coffee.",
    ),
]


def _cfp(conference: Conference, staff: Any, now: datetime) -> None:
    from growth.services.cfp import speaker_profile_save, submission_create
    from growth.services.reviews import review_submit, submission_decide

    if conference.submissions.exists():
        return
    reviewer = _user("reviewer")
    question = conference.questions.order_by("position").first()
    for local, track, kind, title, abstract in TALKS:
        speaker = _user(local)
        if speaker is None:
            continue
        speaker_profile_save(
            user=speaker,
            name=speaker.display_name or local,
            bio="NovaCron user since 2020.",
            company="Globex",
        )
        submission = submission_create(
            conference=conference,
            submitter=speaker,
            track=conference.tracks.get(name=track),
            submission_type=conference.submission_types.get(kind=kind),
            title=title,
            abstract=abstract,
            answers={question.pk: "No, it's new."} if question else {},
            now=now,
        )
        if reviewer is not None:
            criteria = conference.criteria.all()
            score = 5 if "million" in title or "Runbooks" in title or "integration" in title else 2
            review_submit(
                submission=submission,
                reviewer=reviewer,
                scores={str(c.pk): score for c in criteria},
                comment="Clear and useful.",
            )
        if staff is not None:
            state = (
                "accepted"
                if "million" in title or "Runbooks" in title or "integration" in title
                else ("waitlisted" if "Cron syntax" in title else "rejected")
            )
            submission_decide(submission=submission, actor=staff, state=state, now=now)


def _schedule(conference: Conference, staff: Any) -> None:
    from growth.services.schedule import schedule_release, session_save

    if staff is None or ScheduleRelease.objects.filter(conference=conference).exists():
        return
    event = conference.event
    day = event.starts_at
    rooms = list(conference.rooms.order_by("position"))
    session_save(
        conference=conference,
        actor=staff,
        room=rooms[0],
        starts_at=day,
        ends_at=day + timedelta(minutes=45),
        title="Opening keynote",
    )
    accepted = list(conference.submissions.filter(state="accepted").order_by("pk"))
    placed = []
    for index, submission in enumerate(accepted):
        session, _ = session_save(
            conference=conference,
            actor=staff,
            room=rooms[1 + index % 2],
            starts_at=day + timedelta(hours=1 + index),
            submission=submission,
        )
        placed.append(session)
    schedule_release(conference=conference, actor=staff, note="First schedule")
    if placed:  # a room change after the first release: the changelog of v2 shows it
        session = placed[0]
        session_save(
            conference=conference,
            actor=staff,
            room=rooms[0],
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            submission=session.submission,
            session=session,
        )
        schedule_release(conference=conference, actor=staff, note="Bigger room for the most requested talk")


def _tickets_and_sponsors(conference: Conference, staff: Any) -> None:
    from growth.services.checkin import ticket_check_in
    from growth.services.sponsors import lead_capture
    from growth.services.tickets import hold_create, holds_checkout, ticket_set_lead_consent
    from growth.services.venue import question_ask

    buyer, developer = _user("buyer"), _user("developer")
    event = conference.event
    gold, _ = SponsorTier.objects.get_or_create(
        conference=conference,
        name="Gold",
        defaults={"rank": 0, "price": 2_500_000, "benefits": "Keynote slot, large booth"},
    )
    SponsorTier.objects.get_or_create(
        conference=conference,
        name="Silver",
        defaults={"rank": 1, "price": 1_000_000, "benefits": "Booth, 5 passes"},
    )
    sponsor, _ = Sponsor.objects.get_or_create(
        conference=conference,
        name="Cloudsmiths Partners",
        defaults={"tier": gold, "booth": "G12", "website": "https://cloudsmiths.example"},
    )
    if developer is not None:
        sponsor.staff.add(developer)
    if buyer is None or Ticket.objects.filter(event=event, holder=buyer).exists():
        return
    ticket_type = event.ticket_types.get(name="In person")
    hold = hold_create(buyer=buyer, ticket_type=ticket_type, quantity=1, voucher_code="COMMUNITY20")
    holds_checkout(buyer=buyer, holds=[hold], payment_method=CARD_OK, billing_country="GB")
    ticket = Ticket.objects.filter(event=event, holder=buyer).first()
    if ticket is None:
        return
    ticket_set_lead_consent(ticket=ticket, actor=buyer, consent=True)
    if staff is not None:
        ticket_check_in(event=event, actor=staff, secret=ticket.secret, gate="North entrance")
    if developer is not None:
        lead_capture(
            sponsor=sponsor, actor=developer, secret=ticket.secret, notes="Wants a migration workshop."
        )
    session = conference.sessions.exclude(submission=None).first()
    if session is not None and not Question.objects.filter(session=session).exists():
        question_ask(session=session, author=buyer, text="How do you test schedules before they go live?")


def seed(out: TextIO) -> list[str]:
    now = timezone.now()
    organiser, staff = _user("organiser"), _user("staff")
    members = [u for u in (_user("learner"), _user("buyer")) if u is not None]
    chapters = _chapters(organiser, members)
    for slug, title, kind, summary, body in RESOURCES:
        Resource.objects.get_or_create(
            slug=slug, defaults={"title": title, "kind": kind, "summary": summary, "body": body}
        )
    _meetups(chapters, organiser, now)
    _berlin_rsvps(now)
    _funding(organiser, staff)
    conference = _summit(now, staff)
    _cfp(conference, staff, now)
    _schedule(conference, staff)
    _tickets_and_sponsors(conference, staff)
    past_summit(now, staff)
    waitlisted = RSVP.objects.filter(state=RSVP.State.WAITLISTED).count()
    out.write(
        f"growth: {len(chapters)} chapters, {Event.objects.count()} events, {waitlisted} waitlisted RSVPs\n"
    )
    return [
        f"Community: {len(chapters)} chapters at /community/chapters/; the Summit at /community/conferences/summit-2027/",
        "  /community/conferences/ lists it with last year's Summit (past);",
        "  organiser@ organises Berlin and São Paulo (Organiser tools, funding); reviewer@ reviews the Summit CfP;",
        "  staff@ runs the Summit (schedule editor, check-in, funding approvals); buyer@ holds a checked-in ticket.",
        f"  Submission count: {Submission.objects.filter(conference=conference).count()}",
    ]
