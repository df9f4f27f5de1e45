"""Server-rendered SVG charts for the admin dashboard (no script, no CDN)."""

from datetime import date, timedelta

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def last_days(today: date, days: int = 30) -> list[date]:
    """The `days` local dates ending with `today`, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def daily_bar_chart(points: list[tuple[date, int]], *, title: str, width: int = 600, height: int = 160) -> SafeString:
    """One bar per day, scaled to the highest; each bar's tooltip says its day and value."""
    top = max((value for _day, value in points), default=0) or 1
    slot = width / max(len(points), 1)
    plot = height - 20  # headroom above the highest bar

    def bar(i: int, day: date, value: int) -> tuple[str, ...]:
        bar_height = value * plot / top
        return (
            f"{i * slot + 1:.1f}",
            f"{height - bar_height:.1f}",
            f"{max(slot - 2, 1):.1f}",
            f"{bar_height:.1f}",
            day.isoformat(),
            f"{value:,}".replace(",", "."),
        )

    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}: {}</title></rect>',
        (bar(i, day, value) for i, (day, value) in enumerate(points)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" height="{h}" role="img" '
        'aria-label="{t}" class="daily-chart"><title>{t}</title>'
        '<line x1="0" y1="{h}" x2="{w}" y2="{h}" class="axis"/>{bars}</svg>',
        w=width,
        h=height,
        t=title,
        bars=bars,
    )
