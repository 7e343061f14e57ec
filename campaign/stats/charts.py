"""Charts drawn on the server: the geometry of a bar or line chart, for templates/stats/_chart.html.

The template writes it as inline SVG with a title and a description, and the same numbers as
a table under it, so a screen reader (and anyone without the picture) has every figure. Only
SVG attributes, no inline style and no script: it works under the Content-Security-Policy.
"""
from dataclasses import dataclass

#: The drawing's size in SVG units; it scales to the page's width.
WIDTH = 640
HEIGHT = 220
#: A table under a chart of more points than this lists only the ones that are not zero.
LONGEST_FULL_TABLE = 31
#: Room kept for the axis labels.
LEFT = 48
BOTTOM = 24
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    #: The (label, value) pairs drawn, for the table of numbers beside the drawing.
    points: list[tuple[str, int]]
    bars: list[Bar]
    ticks: list[Tick]
    #: For a line chart: "x,y x,y ..." of its points.
    line: str = ""
    #: For a line chart: where its last point is, marked so that a line of one point shows.
    end: tuple[float, float] | None = None
    #: For a line chart against a goal: the goal's height, when it is in view.
    goal_y: float | None = None
    #: The first and last labels, written under the axis.
    first_label: str = ""
    last_label: str = ""

    @property
    def leaves_out_zeros(self) -> bool:
        return len(self.points) > LONGEST_FULL_TABLE

    @property
    def listed_points(self) -> list[tuple[str, int]]:
        """The rows of the table under the chart: every point, or those not zero of many."""
        if self.leaves_out_zeros:
            return [(label, value) for label, value in self.points if value]
        return self.points


def _scale_top(largest: int) -> int:
    """A round figure at or above `largest` for the top of the axis: 1, 2, 5, 10, 20, 50..."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= largest:
                return top * step
        top *= 10


def _plot_height() -> float:
    return HEIGHT - BOTTOM - TOP


def _y(value: int, top: int) -> float:
    return round(TOP + _plot_height() * (1 - value / top), 1)


def _ticks(top: int) -> list[Tick]:
    return [Tick(value, _y(value, top)) for value in (0, top // 2, top) if value or top == 1]


def bar_chart(points: list[tuple[str, int]]) -> Chart:
    """Bars for (label, value) pairs, left to right."""
    top = _scale_top(max([value for _label, value in points] + [1]))
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bars = [
        Bar(label, value, round(LEFT + index * slot + slot * 0.1, 1), _y(value, top),
            round(slot * 0.8, 1), round(_plot_height() * value / top, 1))
        for index, (label, value) in enumerate(points)
    ]
    return Chart(WIDTH, HEIGHT, points, bars, _ticks(top),
                 first_label=points[0][0] if points else "",
                 last_label=points[-1][0] if points else "")


def line_chart(points: list[tuple[str, int]], goal: int | None = None) -> Chart:
    """A line through (label, value) pairs, and the goal as a level line when given."""
    largest = max([value for _label, value in points] + [goal or 0, 1])
    top = _scale_top(largest)
    step = (WIDTH - LEFT) / max(len(points) - 1, 1)
    places = [(round(LEFT + index * step, 1), _y(value, top))
              for index, (_label, value) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in places)
    return Chart(WIDTH, HEIGHT, points, [], _ticks(top), line=line,
                 end=places[-1] if places else None,
                 goal_y=_y(goal, top) if goal else None,
                 first_label=points[0][0] if points else "",
                 last_label=points[-1][0] if points else "")
