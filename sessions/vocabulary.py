"""Clinical vocabulary for assessments and session notes (from the clinic's domain notes)."""

from django.db import models

DEFAULT_TECHNIQUES = [
    "Swedish",
    "Deep tissue",
    "Myofascial release",
    "Trigger point therapy",
    "Sports massage",
    "Stretching / PNF",
    "Joint mobilization",
    "Lymphatic drainage",
    "Hot stone",
    "Cupping",
    "Instrument-assisted (IASTM)",
    "Prenatal",
]


class Posture(models.TextChoices):
    HEAD_FORWARD = "head_forward", "Head forward"
    SHOULDERS_ROUNDED = "shoulders_rounded", "Shoulders rounded"
    PELVIC_TILT = "pelvic_tilt", "Pelvic tilt"
    LEG_LENGTH = "leg_length", "Leg-length difference"
    SCOLIOSIS = "scoliosis", "Scoliosis signs"


class Movement(models.TextChoices):
    CERVICAL_ROTATION = "cervical_rotation", "Cervical rotation"
    CERVICAL_FLEXION = "cervical_flexion", "Cervical flexion"
    CERVICAL_EXTENSION = "cervical_extension", "Cervical extension"
    CERVICAL_LATERAL_FLEXION = "cervical_lateral_flexion", "Cervical lateral flexion"
    SHOULDER_FLEXION = "shoulder_flexion", "Shoulder flexion"
    SHOULDER_ABDUCTION = "shoulder_abduction", "Shoulder abduction"
    SHOULDER_INTERNAL_ROTATION = "shoulder_internal_rotation", "Shoulder internal rotation"
    SHOULDER_EXTERNAL_ROTATION = "shoulder_external_rotation", "Shoulder external rotation"
    LUMBAR_FLEXION = "lumbar_flexion", "Lumbar flexion"
    LUMBAR_EXTENSION = "lumbar_extension", "Lumbar extension"
    LUMBAR_LATERAL_FLEXION = "lumbar_lateral_flexion", "Lumbar lateral flexion"
    LUMBAR_ROTATION = "lumbar_rotation", "Lumbar rotation"
    HIP_FLEXION = "hip_flexion", "Hip flexion"
    HIP_EXTENSION = "hip_extension", "Hip extension"
    HIP_ROTATION = "hip_rotation", "Hip rotation"
    KNEE_FLEXION = "knee_flexion", "Knee flexion"
    ANKLE_DORSIFLEXION = "ankle_dorsiflexion", "Ankle dorsiflexion"


class TestSide(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both"


class RomResult(models.TextChoices):
    FULL = "full", "Full"
    LIMITED = "limited", "Limited"
    PAINFUL = "painful", "Painful"
    GUARDED = "guarded", "Guarded"


# For charts: how far from full a result is (full at the top).
ROM_RESULT_SCORE = {"full": 3, "limited": 2, "guarded": 1, "painful": 0}


class Severity(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Texture(models.TextChoices):
    NORMAL = "normal", "Normal"
    ROPY = "ropy", "Ropy / tight bands"
    NODULAR = "nodular", "Knots (nodular)"
    FIBROUS = "fibrous", "Fibrous / adhered"
    BOGGY = "boggy", "Boggy / swollen"


class Temperature(models.TextChoices):
    NORMAL = "normal", "Normal"
    WARM = "warm", "Warm"
    COOL = "cool", "Cool"


def ensure_techniques(**kwargs) -> None:
    """Start with the clinic's technique list; the manager extends it in the admin."""
    from sessions.models import Technique

    if not Technique.objects.exists():
        Technique.objects.bulk_create(
            Technique(name=name, position=position * 10) for position, name in enumerate(DEFAULT_TECHNIQUES, start=1)
        )
