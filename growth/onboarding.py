"""The organiser onboarding checklist: the same steps for every chapter, ticked per chapter."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    help: str


STEPS: tuple[Step, ...] = (
    Step("code_of_conduct", "Adopt the code of conduct", "Read it and link it from every event page."),
    Step("profile", "Complete the chapter page", "Description, city, language and timezone."),
    Step("co_organiser", "Find a co-organiser", "Two organisers keep a chapter alive through holidays."),
    Step("venue", "Line up a venue", "Use the venue request template in the resource library."),
    Step("first_event", "Publish the first event", "A meetup with a talk and time to talk."),
    Step("payouts", "Set up payouts", "Needed for funding and paid events (Earnings & billing)."),
)
STEP_KEYS = {step.key for step in STEPS}
