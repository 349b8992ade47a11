"""{% body_figure %}: the shared front/back body-map figure.

    {% load body_map %}
    {% body_figure map_id highlights=None interactive=True caption="" %}

- map_id: ties the figure to its controls. static/js/body_map.js looks for the element
  [data-body-map-form="<map_id>"] holding <select data-body-region="<code>"> elements.
- highlights: optional {(code, side): value in 0..1}. Side "left"/"right" marks one shape;
  "both" (or "center") marks every shape of the region. Marked shapes get the class
  "is-highlighted" and fill-opacity = max(value, 0.25). Values <= 0 mark nothing.
- interactive: the figure is a mouse/touch shortcut for a list of the same regions, so it is
  aria-hidden (the list is the accessible route) and its shapes get a pointer cursor.
  Read-only figures (interactive=False) are exposed as images, with the highlighted areas in <desc>.
- caption: optional visible <figcaption>.
"""

from django import template

from bodymap.figure import VIEW_BOX, VIEWS
from bodymap.regions import REGIONS_BY_CODE, Side, area_label

register = template.Library()

MIN_HIGHLIGHT_OPACITY = 0.25
_WHOLE_REGION = {Side.BOTH.value, Side.CENTER.value}


def highlight_levels(highlights) -> dict[tuple[str, str], float]:
    """{(code, side)} from the caller -> {(code, shape side): level in (0, 1]} for drawn shapes."""
    levels: dict[tuple[str, str], float] = {}
    for key, value in (highlights or {}).items():
        try:
            code, side = key
            level = min(float(value), 1.0)
        except (TypeError, ValueError):
            continue
        region = REGIONS_BY_CODE.get(code)
        if region is None or not level > 0:
            continue
        side = str(side)
        if side in _WHOLE_REGION:
            sides = (Side.LEFT.value, Side.RIGHT.value) if region.paired else (Side.CENTER.value,)
        elif side in (Side.LEFT, Side.RIGHT) and region.paired:
            sides = (side,)
        else:
            continue
        for shape_side in sides:
            levels[(code, shape_side)] = max(level, levels.get((code, shape_side), 0.0))
    return levels


def _opacity(level: float) -> str:
    return f"{max(level, MIN_HIGHLIGHT_OPACITY):.2f}".rstrip("0").rstrip(".")


@register.inclusion_tag("includes/body_figure.html")
def body_figure(map_id, highlights=None, interactive=True, caption=""):
    levels = highlight_levels(highlights)
    views = []
    for view in VIEWS:
        shapes = []
        highlighted_titles = []
        for shape in view.shapes:
            title = area_label(shape.region, shape.side)
            level = levels.get((shape.region, shape.side))
            if level:
                highlighted_titles.append(title)
            shapes.append(
                {
                    "region": shape.region,
                    "side": shape.side,
                    "d": shape.d,
                    "title": title,
                    "highlighted": bool(level),
                    "opacity": _opacity(level) if level else "",
                }
            )
        views.append(
            {
                "name": view.name,
                "label": view.label,
                "aria_label": f"Body figure, {view.name} view",
                "description": ("Highlighted: " + "; ".join(highlighted_titles)) if highlighted_titles else "",
                "outline": view.outline,
                "left_marker": "L" if view.viewer_left_side == Side.LEFT else "R",
                "right_marker": "L" if view.viewer_right_side == Side.LEFT else "R",
                "shapes": shapes,
            }
        )
    return {
        "map_id": map_id,
        "interactive": bool(interactive),
        "caption": caption,
        "view_box": VIEW_BOX,
        "views": views,
    }
