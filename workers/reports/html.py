"""The HTML report: one self-contained page, charts drawn as inline SVG by matplotlib, no
scripts and no external resources, so it opens offline and prints cleanly."""

from __future__ import annotations

import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pipeline.indicators.rates import INDICATORS, IndicatorRow  # noqa: E402
from pipeline.indicators.report import Report  # noqa: E402
from workers.reports.render import LEVELS, _pct  # noqa: E402

COLOURS = {"4.1": "#1f6fb2", "4.2": "#2e8b57", "4.3": "#d2691e"}
STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#555} table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right} th{background:#f2f2f2}
td:first-child,th:first-child,td:nth-child(2),th:nth-child(2){text-align:left}
.ok{color:#2e7d32;font-weight:bold}
.ko{color:#c62828;font-weight:bold} .charts{display:flex;flex-wrap:wrap;gap:1rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;min-width:10rem}
.card b{font-size:1.6rem;display:block}
"""


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _level_chart(rows: tuple[IndicatorRow, ...]) -> str:
    levels = [lv for lv in LEVELS if any(r.group == lv for r in rows)] or ["(none)"]
    figure, ax = plt.subplots(figsize=(7.5, 3.4))
    width = 0.26
    for i, code in enumerate(("4.1", "4.2", "4.3")):
        xs, heights, targets = [], [], []
        for j, level in enumerate(levels):
            row = next((r for r in rows if r.group == level and r.indicator == code), None)
            xs.append(j + (i - 1) * width)
            heights.append(float(row.rate.percent or 0) if row else 0.0)
            targets.append(float(row.target) if row and row.target is not None else None)
        ax.bar(xs, heights, width, label=f"{code} {INDICATORS[code]}", color=COLOURS[code])
        for x, t in zip(xs, targets, strict=True):
            if t is not None:
                ax.hlines(t, x - width / 2, x + width / 2, colors="black", linewidth=2)
    ax.set_xticks(range(len(levels)), levels)
    ax.set_ylim(0, 100)
    ax.set_ylabel("% (black line: target)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    ax.set_title("Rate against target, by level")
    return _svg(figure)


def _trend_chart(rows: tuple[IndicatorRow, ...]) -> str:
    months = sorted({r.period for r in rows})
    figure, ax = plt.subplots(figsize=(7.5, 3.0))
    for code in ("4.1", "4.2", "4.3"):
        by_month = {r.period: r.rate.percent for r in rows if r.indicator == code}
        ys = [float(by_month[m]) if by_month.get(m) is not None else float("nan") for m in months]
        ax.plot(months, ys, marker="o", label=code, color=COLOURS[code])
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("Monthly trend")
    ax.legend(fontsize=8)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return _svg(figure)


def _quarantine_chart(reasons: dict[str, int]) -> str:
    figure, ax = plt.subplots(figsize=(7.5, max(1.6, 0.45 * len(reasons) + 0.8)))
    items = sorted(reasons.items(), key=lambda kv: kv[1])
    ax.barh([k for k, _ in items] or ["(none)"], [v for _, v in items] or [0], color="#b71c1c")
    ax.set_xlabel("documents")
    ax.set_title("Quarantine reasons")
    return _svg(figure)


def _rows_table(report: Report, rows: tuple[IndicatorRow, ...], label: str) -> str:
    head = (
        f"<tr><th>{label}</th><th>indicator</th><th>numerator</th><th>denominator</th>"
        "<th>rate %</th><th>target %</th><th>met</th></tr>"
    )
    body = []
    for row in rows:
        name = report.agency_names.get(row.group, "")
        group = html.escape(row.group + (f" · {name}" if name and label == "agency" else ""))
        met = {None: "", True: '<span class="ok">yes</span>', False: '<span class="ko">no</span>'}[
            row.meets_target
        ]
        target = _pct(row.target) if row.target is not None else ""
        body.append(
            f"<tr><td>{group}</td><td>{row.indicator} {INDICATORS[row.indicator]}</td>"
            f"<td>{row.rate.numerator}</td><td>{row.rate.denominator}</td>"
            f"<td>{_pct(row.rate.percent)}</td><td>{target}</td><td>{met}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _by_level_order(rows: tuple[IndicatorRow, ...]) -> tuple[IndicatorRow, ...]:
    rank = {level: i for i, level in enumerate(LEVELS)}
    return tuple(sorted(rows, key=lambda r: (rank.get(r.group, 9), r.indicator)))


def to_html(report: Report) -> str:
    op = report.operational
    median = (
        "N/A" if op.median_hours_to_digitised is None else f"{op.median_hours_to_digitised:.1f}"
    )
    cards = "".join(
        f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>'
        for k, v in (
            ("dossiers received", str(report.dossiers)),
            ("documents", str(op.documents)),
            ("pages", str(op.pages)),
            (
                "quarantine rate",
                _pct(op.quarantine_rate) + (" %" if op.quarantine_rate is not None else ""),
            ),
            ("median hours to digitised", median),
            ("signatures awaiting acceptance (not in 4.1)", str(op.unconfirmed_signatures)),
        )
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Báo cáo số hóa {html.escape(report.period)}</title><style>{STYLE}</style></head>
<body><h1>Báo cáo số hóa hồ sơ, kết quả giải quyết TTHC — {html.escape(report.period)}</h1>
<p class="meta">{html.escape(report.scope)} · generated {report.generated_at:%Y-%m-%d %H:%M %Z}
 · indicators of Decision 766/QĐ-TTg; N/A where the denominator is 0</p>
<div class="charts">{cards}</div>
<h2>By level, against targets</h2><div>{_level_chart(report.by_level)}</div>
{_rows_table(report, _by_level_order(report.by_level), "level")}
<h2>Monthly trend</h2><div>{_trend_chart(report.monthly)}</div>
<h2>Quarantine</h2><div>{_quarantine_chart(dict(op.quarantined))}</div>
<h2>By agency (sub-units included)</h2>{_rows_table(report, report.by_agency, "agency")}
<h2>By procedure</h2>{_rows_table(report, report.by_procedure, "procedure")}
</body></html>
"""
