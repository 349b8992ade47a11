"""Answer choices used by the intake form (from the clinic's domain notes)."""

from django.db import models


class Duration(models.TextChoices):
    DAYS = "days", "Less than a week"
    WEEKS = "weeks", "1 to 4 weeks"
    MONTHS = "months", "1 to 3 months"
    MANY_MONTHS = "many_months", "3 to 12 months"
    YEARS = "years", "More than a year"
    NONE = "none", "No particular problem (relaxation, maintenance)"


class WorkPosture(models.TextChoices):
    SITTING = "sitting", "Mostly sitting (desk, computer)"
    STANDING = "standing", "Mostly standing"
    PHYSICAL = "physical", "Physical work, lifting"
    DRIVING = "driving", "Driving"
    MIXED = "mixed", "Mixed"
    NOT_WORKING = "not_working", "Not working / retired"


class ActivityLevel(models.TextChoices):
    SEDENTARY = "sedentary", "Mostly inactive"
    LIGHT = "light", "Light (walking, occasional exercise)"
    MODERATE = "moderate", "Moderate (exercise 2–3 times a week)"
    ACTIVE = "active", "Very active / training for a sport"


SLEEP_QUALITY_CHOICES = [(1, "1 · very poor"), (2, "2 · poor"), (3, "3 · fair"), (4, "4 · good"), (5, "5 · very good")]
STRESS_LEVEL_CHOICES = [(n, f"{n}{' · none' if n == 0 else ' · extreme' if n == 10 else ''}") for n in range(11)]
PAIN_CHOICES = [(n, f"{n}{' · no pain' if n == 0 else ' · worst imaginable' if n == 10 else ''}") for n in range(11)]


class Allergy(models.TextChoices):
    OILS = "oils", "Massage oils"
    LOTIONS = "lotions", "Lotions or creams"
    NUTS = "nuts", "Nuts (nut oils)"
    LATEX = "latex", "Latex"


class Caution(models.TextChoices):
    FEVER = "fever", "Fever or acute infection"
    DVT = "dvt", "Deep-vein thrombosis or a clotting disorder"
    BLOOD_THINNERS = "blood_thinners", "Taking blood thinners"
    RECENT_SURGERY = "recent_surgery", "Recent surgery or fracture"
    HIGH_BP = "high_bp", "Uncontrolled high blood pressure"
    PREGNANCY = "pregnancy", "Pregnancy"
    CANCER = "cancer", "Cancer treatment"
    OSTEOPOROSIS = "osteoporosis", "Osteoporosis"
    SKIN = "skin", "Open wounds or skin conditions"
    VARICOSE = "varicose", "Varicose veins"
    NEUROPATHY = "neuropathy", "Diabetes with neuropathy"
    ALLERGY = "allergy", "Allergy to oils, lotions or nuts"


# Cautions that describe a lasting condition: a returning client's earlier answer is offered
# again for them to confirm. The others (fever, recent surgery, high blood pressure,
# pregnancy, cancer treatment, open wounds) change from one visit to the next and are
# always asked afresh.
LASTING_CAUTIONS = (
    Caution.DVT,
    Caution.BLOOD_THINNERS,
    Caution.OSTEOPOROSIS,
    Caution.VARICOSE,
    Caution.NEUROPATHY,
    Caution.ALLERGY,
)
# The allergies that the caution "Allergy to oils, lotions or nuts" is about.
CAUTION_ALLERGIES = (Allergy.OILS, Allergy.LOTIONS, Allergy.NUTS)


class HistoryKind(models.TextChoices):
    INJURY = "injury", "Injury"
    SURGERY = "surgery", "Surgery"
    ACCIDENT = "accident", "Accident"


# Areas a client may not want worked on, and the sensitive areas that need their
# own consent. Codes are body regions (bodymap/regions.py).
SENSITIVE_AREAS = [
    ("gluteals", "Gluteals (buttocks)"),
    ("chest", "Chest wall"),
    ("inner_thigh", "Inner thigh"),
    ("abdomen", "Abdomen"),
]
DO_NOT_WORK_CHOICES = [
    *SENSITIVE_AREAS,
    ("ankle_foot", "Feet"),
    ("head", "Scalp / head"),
    ("jaw", "Face and jaw"),
    ("neck_front", "Front of the neck"),
]
