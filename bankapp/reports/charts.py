"""Chart data for the report pages: plain JSON that static/reports.js hands to Chart.js.

Each chart is ``{id, type, title, labels, datasets: [{label, data}], stacked, unit}``;
``unit`` is ``percent``, ``money`` or ``count`` and only changes how axes and
tooltips read. Figures are numbers (floats are fine here: they are drawn, the
tables beside the charts carry the exact values). Line datasets also carry
``point_style`` and ``dash``: lines are told apart by marker and dash as well as
colour, so two sites with the same figures stay visible (one on top of the other)
and nobody needs to tell colours apart.
"""
from . import rules

# (Chart.js point style, dash pattern in px) per line, in order; colours come from reports.js.
LINE_STYLES = (("circle", []), ("triangle", [10, 5]), ("rectRot", [3, 4]), ("rect", [14, 4, 3, 4]),
               ("crossRot", [6, 6]), ("star", [2, 2]), ("rectRounded", [18, 6]))


def styled_lines(datasets) -> list[dict]:
    """Give each line dataset its own marker and dash (cycling through LINE_STYLES)."""
    out = []
    for index, dataset in enumerate(datasets):
        point_style, dash = LINE_STYLES[index % len(LINE_STYLES)]
        out.append({**dataset, "point_style": point_style, "dash": dash})
    return out


def _num(value):
    return None if value is None else float(value)


def fill_rate_charts(report, trend) -> list[dict]:
    items = report["items"]
    labels = [i["label"] for i in items]
    return [
        {"id": "chart-fill-trend", "type": "line", "unit": "percent", "stacked": False,
         "title": "Fill rate by week, per site",
         "labels": [w["label"] for w in trend["weeks"]],
         "datasets": styled_lines([{"label": s["label"],
                                    "data": [_num(r * 100) if r is not None else None for r in s["rates"]]}
                                   for s in trend["sites"]])},
        {"id": "chart-fill-groups", "type": "bar", "unit": "count", "stacked": True,
         "title": "Shifts filled by bank and agency, and unfilled",
         "labels": labels,
         "datasets": [{"label": "Filled by bank", "data": [i["filled_bank"] for i in items]},
                      {"label": "Filled by agency", "data": [i["filled_agency"] for i in items]},
                      {"label": "Unfilled", "data": [i["unfilled"] for i in items]}]},
        {"id": "chart-spend", "type": "bar", "unit": "money", "stacked": False,
         "title": "Bank and agency spend",
         "labels": labels,
         "datasets": [{"label": "Bank spend", "data": [_num(i["spend_bank"]) for i in items]},
                      {"label": "Agency spend", "data": [_num(i["spend_agency"]) for i in items]}]},
    ]


def breach_charts(report) -> list[dict]:
    types = list(rules.BREACH_TYPES)
    sites = list(report["totals_by_site"].values())
    return [
        {"id": "chart-breach-types", "type": "bar", "unit": "count", "stacked": False,
         "title": "Breaches by type",
         "labels": [rules.BREACH_TYPE_LABELS[t] for t in types],
         "datasets": [{"label": "Breaches", "data": [report["totals"][t] for t in types]}]},
        {"id": "chart-breach-sites", "type": "bar", "unit": "count", "stacked": True,
         "title": "Breaches by site and type",
         "labels": [s["label"] for s in sites],
         "datasets": [{"label": rules.BREACH_TYPE_LABELS[t], "data": [s["by_type"][t] for s in sites]}
                      for t in types]},
    ]


def spend_charts(report) -> list[dict]:
    items = report["items"]
    return [
        {"id": "chart-spend-stacked", "type": "bar", "unit": "money", "stacked": True,
         "title": "Bank and agency spend",
         "labels": [i["label"] for i in items],
         "datasets": [{"label": "Bank spend", "data": [_num(i["bank_spend"]) for i in items]},
                      {"label": "Agency spend", "data": [_num(i["agency_spend"]) for i in items]}]},
    ]


def forecast_charts(report, day_labels) -> list[dict]:
    """Expected unfilled shifts per day, one stacked bar per site."""
    days = [t["date"] for t in report["totals"]]
    cells = {(i["site_id"], i["date"]): i for i in report["items"]}
    return [
        {"id": "chart-forecast", "type": "bar", "unit": "count", "stacked": True,
         "title": "Shifts expected to go unfilled, per day and site",
         "labels": [day_labels(d) for d in days],
         "datasets": [{"label": name, "data": [_num(cells[(sid, d)]["expected_unfilled"]) for d in days]}
                      for sid, name in report["sites"].items()]},
    ]
