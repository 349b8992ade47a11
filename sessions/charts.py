"""Small server-rendered SVG line charts (no JavaScript, no CDN)."""

from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 220
LEFT = 44
RIGHT = 12
TOP = 12
BOTTOM = 36


@dataclass
class Series:
    name: str
    css_class: str
    values: list  # one number (or None) per x position


@dataclass
class LineChart:
    title: str
    x_labels: list[str]
    series: list[Series]
    y_min: float
    y_max: float
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT

    def _x(self, index: int) -> float:
        span = max(len(self.x_labels) - 1, 1)
        return LEFT + (self.width - LEFT - RIGHT) * index / span

    def _y(self, value: float) -> float:
        span = (self.y_max - self.y_min) or 1
        return TOP + (self.height - TOP - BOTTOM) * (1 - (value - self.y_min) / span)

    @property
    def plot(self) -> dict:
        """Coordinates for templates/includes/line_chart.html."""
        lines = []
        for series in self.series:
            points = [
                (round(self._x(i), 1), round(self._y(v), 1), self.x_labels[i], v)
                for i, v in enumerate(series.values)
                if v is not None
            ]
            lines.append(
                {
                    "name": series.name,
                    "css_class": series.css_class,
                    "path": " ".join(f"{x},{y}" for x, y, _, _ in points),
                    "points": points if len(points) <= 60 else [],  # dots only where they stay readable
                }
            )
        count = len(self.x_labels)
        step = max(1, count // 6)
        x_ticks = [(round(self._x(i), 1), self.x_labels[i]) for i in range(0, count, step)]
        return {
            "lines": lines,
            "x_ticks": x_ticks,
            "y_ticks": [(round(self._y(v), 1), label) for v, label in self.y_ticks],
            "left": LEFT,
            "right": self.width - RIGHT,
            "bottom": self.height - BOTTOM,
            "top": TOP,
            "label_y": self.height - BOTTOM + 16,
        }
