"""Realistic clinical histories for the demo (used only by `manage.py load_demo`)."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clients.models import Client
from intake.models import ConsentText, Intake, IntakeArea, IntakeHistoryEvent
from sessions import services
from sessions.models import (
    Assessment,
    NoteArea,
    PalpationFinding,
    RangeOfMotionTest,
    SessionNote,
    SpecialTest,
    TreatmentPlan,
)

# client (first, last) -> story
STORIES = {
    ("John", "Smith"): {
        "complaint": "Lower back pain after long days sitting at the office; stiff in the morning.",
        "areas": [("lower_back", "both", 7), ("gluteals", "right", 5), ("hip", "right", 4)],
        "cautions": [],
        "do_not_work": [],
        "visits": 14,
        "interval": 14,
        "movement": "lumbar_flexion",
        "techniques": ["Deep tissue", "Myofascial release", "Stretching / PNF"],
        "home_care": (
            "Cat-cow and knee-to-chest stretches, morning and evening.",
            "Glute bridges, 2 x 12.",
            "Stand up every 45 minutes; chair height so hips are above knees.",
        ),
    },
    ("Zoë", "Dubois"): {
        "complaint": "Tension headaches at the base of the skull, stiff neck and shoulders from computer work.",
        "areas": [("head", "both", 6), ("neck_back", "both", 7), ("shoulder", "both", 6), ("upper_back", "left", 4)],
        "cautions": [("blood_thinners", "Low-dose aspirin daily")],
        "do_not_work": ["abdomen"],
        "visits": 9,
        "interval": 21,
        "movement": "cervical_rotation",
        "techniques": ["Swedish", "Trigger point therapy", "Myofascial release"],
        "home_care": (
            "Chin tucks and upper-trap stretch, 3 x 30 s each side.",
            "Band pull-aparts, 2 x 15.",
            "Screen at eye level; shoulders down and back.",
        ),
    },
    ("Priya", "Raman"): {
        "complaint": "Tight hips and hamstrings from marathon training; wants faster recovery.",
        "areas": [("back_thigh", "both", 5), ("outer_thigh", "left", 6), ("calf", "both", 4)],
        "cautions": [],
        "do_not_work": ["inner_thigh"],
        "visits": 18,
        "interval": 7,
        "movement": "hip_flexion",
        "techniques": ["Sports massage", "Deep tissue", "Stretching / PNF", "Instrument-assisted (IASTM)"],
        "home_care": (
            "Hamstring and IT-band foam rolling after long runs.",
            "Single-leg deadlifts, 3 x 8.",
            "Easy days really easy; sleep 8 hours before long runs.",
        ),
    },
    ("Lucas", "Silva"): {
        "complaint": "Stress, shallow breathing and poor sleep; shoulders always up near the ears.",
        "areas": [("shoulder", "both", 5), ("chest", "both", 3), ("jaw", "both", 4)],
        "cautions": [],
        "do_not_work": [],
        "visits": 6,
        "interval": 28,
        "movement": "shoulder_flexion",
        "techniques": ["Swedish", "Hot stone"],
        "home_care": ("Doorway pec stretch, 2 x 30 s.", "", "Box breathing, 4 counts each, before bed."),
    },
}


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def load_clinical_histories(*, therapist, rng: random.Random) -> int:
    """Give each story client an intake, assessments, a plan and signed notes. Skips clients that have notes."""
    consent = ConsentText.objects.current()
    made = 0
    for (first, last), story in STORIES.items():
        client = Client.objects.filter(first_name=first, last_name=last).first()
        if client is None or SessionNote.objects.filter(client=client).exists():
            continue
        made += 1
        visits, interval = story["visits"], story["interval"]
        start = timezone.localdate() - timedelta(days=visits * interval + 3)

        intake = Intake.objects.create(
            client=client,
            status=Intake.Status.ACCEPTED,
            submitted_at=_at(start - timedelta(days=2), 19),
            reviewed_at=_at(start, 9),
            reviewed_by=therapist,
            main_complaint=story["complaint"],
            duration="months",
            onset="Gradually over the last year.",
            better="Heat, walking, stretching.",
            worse="Sitting for long periods, stress, poor sleep.",
            medical_conditions="None",
            medications="Aspirin 81 mg" if story["cautions"] else "None",
            cautions=[code for code, _ in story["cautions"]],
            caution_details=dict(story["cautions"]),
            occupation="Office work" if last != "Raman" else "Nurse, runs marathons",
            work_posture="sitting" if last != "Raman" else "standing",
            activity_level="moderate" if last != "Raman" else "active",
            sleep_quality=3,
            stress_level=6,
            goals="Less pain day to day, and understand what to do at home.",
            pressure="firm" if last in ("Smith", "Raman") else "moderate",
            do_not_work=story["do_not_work"],
            consent=consent,
            consent_gluteals="gluteals" not in story["do_not_work"],
            consent_chest=True,
            consent_inner_thigh="inner_thigh" not in story["do_not_work"],
            consent_abdomen="abdomen" not in story["do_not_work"],
            signature_name=f"{first} {last}",
            signed_at=_at(start - timedelta(days=2), 19),
        )
        IntakeArea.objects.bulk_create(
            IntakeArea(intake=intake, region=r, side=s, pain=p) for r, s, p in story["areas"]
        )
        IntakeHistoryEvent.objects.create(
            intake=intake, kind="injury", year=2019, description="Sprained ankle playing soccer"
        )

        TreatmentPlan.objects.create(
            client=client,
            therapist=therapist,
            created_at=_at(start),
            starts_on=start,
            goals=story["complaint"].split(";")[0].rstrip(".") + ": reduce pain to 2/10 or less and restore movement.",
            focus_regions=[r for r, _, _ in story["areas"]],
            visit_interval_days=interval,
            planned_visits=visits,
            reassess_on=start + timedelta(days=interval * 4),
            home_care="; ".join(h for h in story["home_care"] if h),
        )

        movement = story["movement"]
        results = ["painful", "guarded", "limited", "limited", "full"]
        for step, result in enumerate(results[: max(2, min(5, visits // 3))]):
            day = start + timedelta(days=step * interval * 3)
            assessment = Assessment.objects.create(
                client=client,
                therapist=therapist,
                assessed_on=day,
                created_at=_at(day, 9),
                posture=["head_forward", "shoulders_rounded"] if step == 0 else ["shoulders_rounded"],
                gait_notes="Shortened stride on the right." if step == 0 else "Even stride.",
                summary="Tight posterior chain; guarded movement on the painful side." if step == 0 else "Improving.",
            )
            RangeOfMotionTest.objects.bulk_create(
                [
                    RangeOfMotionTest(
                        assessment=assessment, movement=movement, side="left", result=result, degrees=40 + step * 10
                    ),
                    RangeOfMotionTest(
                        assessment=assessment,
                        movement=movement,
                        side="right",
                        result=results[min(step + 1, 4)],
                        degrees=50 + step * 10,
                    ),
                ]
            )
            region, side, _ = story["areas"][0]
            PalpationFinding.objects.create(
                assessment=assessment,
                region=region,
                side=side,
                tension=["severe", "moderate", "mild", "mild", "none"][step],
                tenderness=["moderate", "moderate", "mild", "none", "none"][step],
                texture="nodular" if step < 2 else "normal",
            )
            if step == 0:
                SpecialTest.objects.create(
                    assessment=assessment, name="Straight-leg raise", side="both", positive=False
                )

        for visit in range(visits):
            day = start + timedelta(days=visit * interval)
            progress = visit / max(visits - 1, 1)
            note = SessionNote.objects.create(
                client=client,
                therapist=therapist,
                visit_date=day,
                created_at=_at(day, 11),
                update_since_last="First visit."
                if visit == 0
                else rng.choice(
                    [
                        "Felt looser for a few days.",
                        "Busy week, tension came back.",
                        "Better mornings.",
                        "Sore after a long drive.",
                        "Sleeping better.",
                    ]
                ),
                pain_before=max(1, round(7 - 5 * progress + rng.choice([-1, 0, 0, 1]))),
                pain_after=max(0, round(4 - 3 * progress + rng.choice([-1, 0, 0]))),
                techniques=story["techniques"],
                pressure="firm" if last in ("Smith", "Raman") else "moderate",
                client_feedback=rng.choice(
                    ["Pressure just right.", "Asked for lighter on the neck.", "Wanted deeper on the back."]
                ),
                tissue_response=rng.choice(
                    [
                        "Knots softened faster than last time.",
                        "Tight bands released after 10 minutes.",
                        "Less guarding on the right.",
                        "Tissue warm and pliable.",
                    ]
                ),
                home_care_stretches=story["home_care"][0],
                home_care_strengthening=story["home_care"][1],
                home_care_posture=story["home_care"][2],
                next_visit_interval_days=interval,
                duration_minutes=60,
            )
            NoteArea.objects.bulk_create(
                NoteArea(
                    note=note,
                    region=r,
                    side=s,
                    pain=max(0, round(p - (p - 1) * progress + rng.choice([-1, 0, 1]))),
                    pressure=note.pressure,
                    techniques=story["techniques"][:2],
                )
                for r, s, p in story["areas"]
            )
            note = services.note_sign(note=note, by=therapist)
            if visit == 2:
                services.addendum_add(
                    note=note,
                    by=therapist,
                    created_at=_at(day + timedelta(days=1), 9),
                    reason="Client report",
                    text="Client phoned: the day after, pain was 2/10 and sleep was better.",
                )
    # One draft left unsigned for more than a day, so the dashboard shows what it is for.
    smith = Client.objects.filter(first_name="John", last_name="Smith").first()
    if made and smith:
        SessionNote.objects.create(
            client=smith,
            therapist=therapist,
            visit_date=timezone.localdate() - timedelta(days=2),
            created_at=timezone.now() - timedelta(days=2),
            update_since_last="Back felt better this week.",
            pain_before=3,
        )
    return made


SERVICES = [
    ("Massage, 30 minutes", 30, "55.00"),
    ("Massage, 60 minutes", 60, "95.00"),
    ("Massage, 90 minutes", 90, "135.00"),
    ("Sports massage, 60 minutes", 60, "105.00"),
]


def load_schedule(*, therapists, rng: random.Random) -> int:
    """Services, working hours (Mon–Sat 9:00–17:00) and a few days of visits around today."""
    from datetime import time as clock

    from scheduling import services as booking
    from scheduling.models import Appointment, Service, WorkingHours
    from timekeeping.timeutil import local_datetime, today

    for position, (name, minutes, fee) in enumerate(SERVICES, start=1):
        Service.objects.get_or_create(
            name=name, defaults={"duration_minutes": minutes, "fee": fee, "position": position}
        )
    for therapist in therapists:
        if not WorkingHours.objects.filter(therapist=therapist).exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(therapist=therapist, weekday=day, starts=clock(9), ends=clock(17)) for day in range(6)
            )
    if Appointment.objects.exists():
        return 0
    services = list(Service.objects.active())
    clients = list(Client.objects.active().order_by("id"))
    booked = 0
    for offset in range(0, 4):
        day = today() + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for therapist in therapists:
            for hour in rng.sample([9, 10, 11, 13, 14, 15, 16], 4):
                service = rng.choice(services[:2])
                try:
                    booking.appointment_book(
                        client=rng.choice(clients),
                        therapist=therapist,
                        service=service,
                        starts_at=local_datetime(day, clock(hour, 0)),
                        desk_notes="",
                    )
                    booked += 1
                except booking.BookingConflict:
                    pass
    return booked
