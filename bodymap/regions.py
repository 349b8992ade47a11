"""The body-region vocabulary shared by intake (where it hurts, areas not to
work), session notes (areas worked) and progress charts.

A region is either paired (left / right / both) or central (one area).
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Region:
    code: str
    label: str
    paired: bool
    front: bool  # drawn on the front figure
    back: bool  # drawn on the back figure


REGIONS: tuple[Region, ...] = (
    Region("head", "Scalp / base of skull (suboccipitals)", True, True, True),
    Region("jaw", "Jaw (TMJ)", True, True, False),
    Region("neck_front", "Neck, front", False, True, False),
    Region("neck_back", "Neck, back", True, False, True),
    Region("shoulder", "Shoulder (trapezius)", True, True, True),
    Region("chest", "Chest (pectorals)", True, True, False),
    Region("upper_back", "Upper back (rhomboids)", True, False, True),
    Region("mid_back", "Mid back", True, False, True),
    Region("lower_back", "Lower back (lumbar)", True, False, True),
    Region("abdomen", "Abdomen", False, True, False),
    Region("upper_arm", "Upper arm", True, True, True),
    Region("forearm", "Forearm", True, True, True),
    Region("wrist_hand", "Wrist and hand", True, True, True),
    Region("gluteals", "Gluteals", True, False, True),
    Region("hip", "Hip (flexors / lateral hip)", True, True, False),
    Region("front_thigh", "Front thigh (quadriceps)", True, True, False),
    Region("inner_thigh", "Inner thigh (adductors)", True, True, False),
    Region("outer_thigh", "Outer thigh (IT band)", True, True, True),
    Region("back_thigh", "Back thigh (hamstrings)", True, False, True),
    Region("knee", "Knee", True, True, True),
    Region("shin", "Shin", True, True, False),
    Region("calf", "Calf", True, False, True),
    Region("ankle_foot", "Ankle and foot", True, True, True),
)

REGIONS_BY_CODE = {region.code: region for region in REGIONS}
REGION_CHOICES = [(region.code, region.label) for region in REGIONS]


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"
    CENTER = "center", "Whole area"


def side_choices(region: Region) -> list[tuple[str, str]]:
    if region.paired:
        return [(Side.LEFT, "Left"), (Side.RIGHT, "Right"), (Side.BOTH, "Both sides")]
    return [(Side.CENTER, "Yes")]


def region_label(code: str) -> str:
    region = REGIONS_BY_CODE.get(code)
    return region.label if region else code


def area_label(code: str, side: str) -> str:
    """'Shoulder (trapezius), left' / 'Abdomen'."""
    label = region_label(code)
    if side in (Side.LEFT, Side.RIGHT):
        return f"{label}, {side}"
    if side == Side.BOTH:
        return f"{label}, both sides"
    return label
