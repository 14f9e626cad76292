"""Community models: chapters, events and RSVPs, conferences (CfP, review, schedule), tickets, sponsors,
the virtual venue and event funding."""

from growth.models.chapters import (
    Chapter,
    ChapterMember,
    ChapterOrganiser,
    OnboardingCompletion,
    Region,
    Resource,
)
from growth.models.conferences import (
    CfPQuestion,
    Conference,
    Review,
    ReviewCriterion,
    ReviewTeam,
    SpeakerProfile,
    Submission,
    SubmissionAnswer,
    SubmissionHistory,
    SubmissionSpeaker,
    SubmissionType,
    Track,
)
from growth.models.events import RSVP, CalendarToken, Event
from growth.models.funding import FundingRequest
from growth.models.schedule import Question, QuestionVote, Room, ScheduleRelease, Session, SessionStar
from growth.models.sponsors import Lead, Sponsor, SponsorTier
from growth.models.tickets import (
    CheckIn,
    Quota,
    Ticket,
    TicketHold,
    TicketType,
    TicketWaitlistEntry,
    Voucher,
)

__all__ = [
    "RSVP",
    "CalendarToken",
    "CfPQuestion",
    "Chapter",
    "ChapterMember",
    "ChapterOrganiser",
    "CheckIn",
    "Conference",
    "Event",
    "FundingRequest",
    "Lead",
    "OnboardingCompletion",
    "Question",
    "QuestionVote",
    "Quota",
    "Region",
    "Resource",
    "Review",
    "ReviewCriterion",
    "ReviewTeam",
    "Room",
    "ScheduleRelease",
    "Session",
    "SessionStar",
    "SpeakerProfile",
    "Sponsor",
    "SponsorTier",
    "Submission",
    "SubmissionAnswer",
    "SubmissionHistory",
    "SubmissionSpeaker",
    "SubmissionType",
    "Ticket",
    "TicketHold",
    "TicketType",
    "TicketWaitlistEntry",
    "Track",
    "Voucher",
]
