"""Small line charts as inline SVG, drawn on the server: no script, no external asset, numbers only."""
from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, PAD = 240, 64, 6


def line_chart(title: str, points: list[tuple[str, float]], limit: float | None = None, two_sided: bool = False) -> str:
    """``points`` are (day label, value), oldest first; ``limit`` is drawn as a dashed red line (and, for a
    figure that may move either way, its negative too)."""
    limits = [limit, -limit] if limit is not None and two_sided else [limit] if limit is not None else []
    values = [value for _, value in points] + limits
    low, high = min(values + [0.0]), max(values)
    span = (high - low) or 1.0

    def x(i) -> str:
        return f"{PAD + (WIDTH - 2 * PAD) * (i / max(len(points) - 1, 1)):.1f}"

    def y(value) -> str:
        return f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * ((value - low) / span):.1f}"

    line = " ".join(f"{x(i)},{y(value)}" for i, (_, value) in enumerate(points))
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="2.5"><title>{}: {}</title></circle>',
                            ((x(i), y(value), day, value) for i, (day, value) in enumerate(points)))
    threshold = format_html_join("", '<line class="limit" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c62828" '
                                 'stroke-dasharray="4 3"/>', ((PAD, WIDTH - PAD, y(v), y(v)) for v in limits))
    return format_html(
        '<figure class="chart"><svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><rect width="100%" height="100%" fill="#fafafa" stroke="#ddd"/>{}'
        '<polyline points="{}" fill="none" stroke="#1565c0" stroke-width="2"/><g fill="#1565c0">{}</g></svg>'
        '<figcaption>{} <small>last {}{}</small></figcaption></figure>',
        title, WIDTH, HEIGHT, WIDTH, HEIGHT, threshold, line, dots, title, points[-1][1],
        format_html(", limit {}{}", "±" if two_sided else "", limit) if limit is not None else "")
