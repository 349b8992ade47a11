"""The body-map figure as data: a front and a back view of a person, one shape per region side.

Every region in bodymap.regions.REGIONS that is drawn on a view (Region.front / Region.back) has
shapes on that view: one per side ("left" / "right") for paired regions, one ("center") for
unpaired ones. Sides are the *client's* sides: on the front view the client's left is on the
viewer's right; on the back view the client's left is on the viewer's left.

Geometry is written once, for the viewer's left half of the figure, and mirrored for the other
half. Coordinates are in a 200 x 440 viewBox. Shapes are rounded polygons and ellipses turned into
SVG path `d` strings, so the template only has to draw <path> elements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bodymap.regions import REGIONS, Side

VIEW_WIDTH = 200
VIEW_HEIGHT = 440
VIEW_BOX = f"0 0 {VIEW_WIDTH} {VIEW_HEIGHT}"

Point = tuple[float, float]


# --- geometry helpers -------------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _mirror(points: tuple[Point, ...]) -> tuple[Point, ...]:
    """Reflect across the vertical centre line of the view."""
    return tuple((VIEW_WIDTH - x, y) for x, y in points)


def _signed_area(points: tuple[Point, ...]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)) / 2


def rounded_polygon(points: tuple[Point, ...], radius: float = 6) -> str:
    """A closed path through `points` with each corner rounded by a quadratic curve.

    Always drawn clockwise on screen (like `ellipse`), so overlapping subpaths of one path never
    cancel out under the nonzero fill rule.
    """
    if _signed_area(points) < 0:
        points = points[::-1]
    count = len(points)
    parts: list[str] = []
    for index, (vx, vy) in enumerate(points):
        px, py = points[index - 1]
        nx, ny = points[(index + 1) % count]
        to_prev = math.hypot(px - vx, py - vy) or 1
        to_next = math.hypot(nx - vx, ny - vy) or 1
        cut_prev = min(radius, to_prev / 2)
        cut_next = min(radius, to_next / 2)
        ax, ay = vx + (px - vx) * cut_prev / to_prev, vy + (py - vy) * cut_prev / to_prev
        bx, by = vx + (nx - vx) * cut_next / to_next, vy + (ny - vy) * cut_next / to_next
        parts.append(f"{'M' if index == 0 else 'L'}{_num(ax)} {_num(ay)}")
        parts.append(f"Q{_num(vx)} {_num(vy)} {_num(bx)} {_num(by)}")
    parts.append("Z")
    return "".join(parts)


def ellipse(cx: float, cy: float, rx: float, ry: float) -> str:
    """An ellipse as a path (four cubic curves), so every shape is a <path>."""
    k = 0.5523
    return (
        f"M{_num(cx - rx)} {_num(cy)}"
        f"C{_num(cx - rx)} {_num(cy - k * ry)} {_num(cx - k * rx)} {_num(cy - ry)} {_num(cx)} {_num(cy - ry)}"
        f"C{_num(cx + k * rx)} {_num(cy - ry)} {_num(cx + rx)} {_num(cy - k * ry)} {_num(cx + rx)} {_num(cy)}"
        f"C{_num(cx + rx)} {_num(cy + k * ry)} {_num(cx + k * rx)} {_num(cy + ry)} {_num(cx)} {_num(cy + ry)}"
        f"C{_num(cx - k * rx)} {_num(cy + ry)} {_num(cx - rx)} {_num(cy + k * ry)} {_num(cx - rx)} {_num(cy)}Z"
    )


# --- the silhouette (drawn underneath, light grey) --------------------------------------------

_HEAD = (100, 36, 21, 28)  # cx, cy, rx, ry
_NECK = ((87, 54), (113, 54), (114, 86), (86, 86))
_TORSO = (
    (88, 78),
    (64, 85),
    (50, 94),
    (55, 120),
    (61, 160),
    (66, 192),
    (59, 226),
    (58, 246),
    (142, 246),
    (141, 226),
    (134, 192),
    (139, 160),
    (145, 120),
    (150, 94),
    (136, 85),
    (112, 78),
)
# Viewer's-left arm and leg; the other side is mirrored.
_ARM = (
    (54, 88),
    (39, 98),
    (33, 140),
    (29, 178),
    (23, 246),
    (18, 262),
    (19, 284),
    (28, 296),
    (37, 291),
    (41, 270),
    (43, 250),
    (50, 180),
    (56, 132),
    (60, 110),
)
_LEG = (
    (60, 230),
    (53, 264),
    (58, 322),
    (64, 348),
    (64, 372),
    (70, 404),
    (64, 418),
    (62, 430),
    (96, 432),
    (95, 416),
    (91, 404),
    (95, 368),
    (94, 346),
    (97, 300),
    (99, 246),
    (99, 236),
)


def _outline() -> str:
    return "".join(
        [
            ellipse(*_HEAD),
            rounded_polygon(_NECK, 4),
            rounded_polygon(_TORSO, 12),
            rounded_polygon(_ARM, 8),
            rounded_polygon(_mirror(_ARM), 8),
            rounded_polygon(_LEG, 8),
            rounded_polygon(_mirror(_LEG), 8),
        ]
    )


OUTLINE = _outline()


# --- region shapes, viewer's-left half --------------------------------------------------------

# Arms and lower legs are drawn the same on both views.
_SHARED: dict[str, tuple[Point, ...]] = {
    "shoulder": ((90, 80), (68, 86), (54, 95), (58, 106), (73, 99), (90, 94)),
    "upper_arm": ((41, 104), (58, 110), (54, 140), (49, 172), (31, 172), (35, 138)),
    "forearm": ((31, 180), (49, 180), (42, 242), (24, 242)),
    "wrist_hand": ((24, 248), (42, 248), (39, 272), (35, 290), (27, 292), (20, 282), (20, 260)),
    "knee": ((61, 324), (94, 324), (93, 346), (65, 346)),
    "ankle_foot": ((68, 404), (91, 404), (94, 430), (63, 430)),
}

_FRONT: dict[str, tuple[Point, ...]] = {
    "head": ((98, 12), (88, 14), (82, 22), (80, 36), (98, 36)),
    "jaw": ((81, 42), (93, 45), (96, 61), (88, 58), (83, 51)),
    "chest": ((97, 100), (75, 102), (62, 111), (63, 130), (70, 141), (97, 142)),
    "hip": ((67, 200), (73, 216), (97, 220), (97, 240), (61, 243), (60, 226)),
    "outer_thigh": ((57, 250), (68, 250), (72, 318), (62, 318), (55, 270)),
    "front_thigh": ((71, 250), (85, 250), (86, 318), (75, 318)),
    "inner_thigh": ((88, 250), (98, 250), (96, 300), (92, 316), (88, 316)),
    "shin": ((67, 352), (92, 352), (89, 398), (72, 398)),
}
_FRONT_CENTER: dict[str, tuple[Point, ...]] = {
    "neck_front": ((90, 64), (110, 64), (112, 80), (88, 80)),
    "abdomen": ((73, 148), (127, 148), (131, 190), (125, 212), (75, 212), (69, 190)),
}

_BACK: dict[str, tuple[Point, ...]] = {
    "head": ((98, 26), (84, 27), (80, 40), (85, 54), (98, 58)),
    "neck_back": ((88, 63), (98, 63), (98, 81), (87, 81)),
    "upper_back": ((97, 100), (75, 102), (61, 111), (62, 140), (97, 140)),
    "mid_back": ((97, 146), (63, 146), (66, 182), (97, 182)),
    "lower_back": ((97, 188), (67, 188), (67, 200), (64, 214), (97, 214)),
    "gluteals": ((97, 220), (64, 220), (58, 238), (61, 262), (97, 264)),
    "outer_thigh": ((56, 270), (68, 270), (71, 318), (61, 318)),
    "back_thigh": ((71, 270), (97, 270), (95, 318), (74, 318)),
    "calf": ((66, 352), (93, 352), (90, 398), (71, 398)),
}
_BACK_CENTER: dict[str, tuple[Point, ...]] = {}


# --- public data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    region: str  # a code from bodymap.regions.REGIONS
    side: str  # "left" | "right" | "center" (the client's side)
    d: str  # SVG path data in the view's coordinates


@dataclass(frozen=True)
class View:
    name: str  # "front" | "back"
    label: str  # "Front" | "Back"
    outline: str  # path data for the grey silhouette
    shapes: tuple[Shape, ...]
    # Which client side sits on the viewer's left / right (for the small L / R markers).
    viewer_left_side: str
    viewer_right_side: str


def _build_view(
    name: str,
    label: str,
    paired: dict[str, tuple[Point, ...]],
    center: dict[str, tuple[Point, ...]],
    viewer_left_side: str,
) -> View:
    viewer_right_side = Side.RIGHT.value if viewer_left_side == Side.LEFT else Side.LEFT.value
    drawn = paired | _SHARED
    shapes: list[Shape] = []
    for region in REGIONS:  # vocabulary order, so the drawing order is stable
        if not getattr(region, name):
            continue
        if region.paired:
            points = drawn[region.code]
            radius = 5
            shapes.append(Shape(region.code, viewer_left_side, rounded_polygon(points, radius)))
            shapes.append(Shape(region.code, viewer_right_side, rounded_polygon(_mirror(points), radius)))
        else:
            shapes.append(Shape(region.code, Side.CENTER.value, rounded_polygon(center[region.code], 6)))
    return View(name, label, OUTLINE, tuple(shapes), viewer_left_side, viewer_right_side)


# On the front view the client faces us: their right is on the viewer's left.
FRONT = _build_view("front", "Front", _FRONT, _FRONT_CENTER, viewer_left_side=Side.RIGHT.value)
# On the back view we see the client from behind: their left is on the viewer's left.
BACK = _build_view("back", "Back", _BACK, _BACK_CENTER, viewer_left_side=Side.LEFT.value)

VIEWS: tuple[View, ...] = (FRONT, BACK)
VIEWS_BY_NAME = {view.name: view for view in VIEWS}
