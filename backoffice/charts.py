"""Server-rendered SVG charts for the admin dashboard (no script, no CDN)."""

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# Room left of the plot for the value labels and below it for the day labels.
LEFT, BOTTOM, TOP = 64, 22, 10


def last_days(today: date, days: int = 30) -> list[date]:
    """The `days` local dates ending with `today`, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten not below `value`: round figures on the value axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def daily_bar_chart(points: list[tuple[date, int]], *, title: str, width: int = 900, height: int = 200) -> SafeString:
    """One bar per day on labelled axes (values at 0, half and the top; the first, middle and
    last day), each bar's tooltip its day and value, and the same figures as a table for
    screen readers and for anyone who wants the numbers."""
    top = _nice_top(max((value for _day, value in points), default=0) or 1)
    plot_w, plot_h = width - LEFT, height - BOTTOM - TOP
    slot = plot_w / max(len(points), 1)
    base = TOP + plot_h

    def bar(i: int, day: date, value: int) -> tuple[str, ...]:
        bar_height = value * plot_h / top
        return (
            f"{LEFT + i * slot + 1:.1f}",
            f"{base - bar_height:.1f}",
            f"{max(slot - 2, 1):.1f}",
            f"{bar_height:.1f}",
            day.isoformat(),
            _number(value),
        )

    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}: {}</title></rect>',
        (bar(i, day, value) for i, (day, value) in enumerate(points)),
    )

    def level(share: float) -> tuple[str, ...]:
        y = base - share * plot_h
        return (str(LEFT), f"{y:.1f}", str(width), f"{y:.1f}", str(LEFT - 6), f"{y + 4:.1f}", _number(int(top * share)))

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" text-anchor="end" class="label">{}</text>',
        (level(share) for share in ((0, 0.5, 1) if top % 2 == 0 else (0, 1))),
    )
    marked = sorted({0, len(points) // 2, len(points) - 1}) if points else []

    def day_label(i: int) -> tuple[str, ...]:
        # The first and last labels hang inward so that they stay inside the picture.
        anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
        x = (
            LEFT + i * slot
            if anchor == "start"
            else LEFT + (i + 1) * slot
            if anchor == "end"
            else LEFT + (i + 0.5) * slot
        )
        return (f"{x:.1f}", str(height - 6), anchor, date_format(points[i][0], "j M"))

    days = format_html_join(
        "", '<text x="{}" y="{}" text-anchor="{}" class="label">{}</text>', (day_label(i) for i in marked)
    )
    rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td></tr>", ((date_format(day, "j M Y"), _number(value)) for day, value in points)
    )
    return format_html(
        '<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-label="{t}" class="daily-chart"><title>{t}</title>{grid}'
        '<line x1="{left}" y1="{base}" x2="{w}" y2="{base}" class="axis"/>{bars}{days}</svg>'
        "<details><summary>{numbers}</summary><table><caption>{t}</caption>"
        "<thead><tr><th>{day}</th><th>{value}</th></tr></thead><tbody>{rows}</tbody></table></details></figure>",
        w=width,
        h=height,
        t=title,
        grid=grid,
        left=LEFT,
        base=base,
        bars=bars,
        days=days,
        numbers=_("The figures"),
        day=_("Day"),
        value=_("Value"),
        rows=rows,
    )
