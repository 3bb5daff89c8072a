"""Chart geometry for the server-rendered SVG charts (templates/campaign/_*_chart.svg).

Why our own SVG and not pygal or a JavaScript library: the page's
Content-Security-Policy allows no inline script or style, and pygal writes a
<style> element and a tooltip script into every chart; a JS library would
draw nothing without JavaScript and adds a dependency to keep patched. Ours
is a few rectangles whose colours come from static/css/campaign.css (so
print and forced-colours modes work), titled and described for screen
readers, with the numbers in a table beside each chart. Python does the
arithmetic; the template only places what it is given.
"""

from dataclasses import dataclass

# Drawn small and scaled to the page's width: at a phone's 350 px the text
# stays readable (16 px drawn is about 12 px shown); CSS caps the width on a desktop.
WIDTH = 480
HEIGHT = 220
# Room for the axis labels.
LEFT, RIGHT, TOP, BOTTOM = 34, 4, 10, 26


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 x 10^n at or above `value` (an axis top)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


@dataclass
class DayColumn:
    x: float
    width: float
    capacity_y: float
    capacity_height: float
    booked_y: float
    booked_height: float
    first_y: float
    first_height: float
    later_y: float
    later_height: float
    label: str
    title: str


@dataclass
class Tick:
    y: float
    label: str


def _ticks(top: int, plot_height: float) -> list[Tick]:
    values = [0, top // 2, top] if top % 2 == 0 else [0, top]
    return [Tick(y=round(TOP + plot_height - plot_height * v / top, 1), label=str(v)) for v in values]


def daily_chart(days, *, label_day) -> dict:
    """Per day: capacity (pale), seats booked (outlined) and the doses given
    stacked (dose 1, then later doses) in one column each."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max([max(d.capacity, d.booked, d.doses) for d in days] + [1]))
    band = plot_width / max(len(days), 1)
    scale = plot_height / top
    base = TOP + plot_height
    # Label every day while the labels fit (about 48 units each), else every n-th.
    every = max(1, -(-48 // max(int(band), 1)))
    columns = []
    for index, day in enumerate(days):
        x = LEFT + index * band
        first_h, later_h = day.first_doses * scale, day.later_doses * scale
        columns.append(
            DayColumn(
                x=round(x + band * 0.08, 2),
                width=round(band * 0.84, 2),
                capacity_y=round(base - day.capacity * scale, 2),
                capacity_height=round(day.capacity * scale, 2),
                booked_y=round(base - day.booked * scale, 2),
                booked_height=round(day.booked * scale, 2),
                first_y=round(base - first_h, 2),
                first_height=round(first_h, 2),
                later_y=round(base - first_h - later_h, 2),
                later_height=round(later_h, 2),
                label=label_day(day.day) if index % every == 0 else "",
                title=f"{label_day(day.day)}: {day.doses} / {day.booked} / {day.capacity}",
            )
        )
    dose_x = [(c.x + c.width * 0.25, c.width * 0.5) for c in columns]
    for column, (x, width) in zip(columns, dose_x, strict=True):
        column.dose_x, column.dose_width = round(x, 2), round(width, 2)
        column.label_x = round(column.x + column.width / 2, 2)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": base,
        "label_y": HEIGHT - 8,
        "ticks": _ticks(top, plot_height),
        "columns": columns,
    }


@dataclass
class Bar:
    label: str
    value_label: str
    label_y: float
    y: float
    width: float
    value_x: float
    value_y: float


# Each row: the clinic's name on its own line, its bar below, the value after the bar.
BAR_HEIGHT, LABEL_HEIGHT, ROW_GAP, VALUE_ROOM = 18, 20, 10, 64


def bar_chart(rows: list[tuple[str, float, str]], *, maximum: float | None = None) -> dict:
    """Horizontal bars: (label, value, value as text) per row."""
    top = maximum if maximum is not None else nice_ceiling(max([value for _l, value, _t in rows] + [1]))
    plot_width = WIDTH - VALUE_ROOM
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for index, (label, value, text) in enumerate(rows):
        y = TOP + index * row_height
        width = round(plot_width * (value / top if top else 0), 2)
        bars.append(
            Bar(
                label=label if len(label) <= 48 else label[:47] + "…",
                value_label=text,
                label_y=y + LABEL_HEIGHT - 6,
                y=y + LABEL_HEIGHT,
                width=width,
                value_x=width + 6,
                value_y=y + LABEL_HEIGHT + BAR_HEIGHT - 4,
            )
        )
    return {"width": WIDTH, "height": TOP * 2 + len(rows) * row_height, "bar_height": BAR_HEIGHT, "bars": bars}
