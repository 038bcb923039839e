"""Chart data for the report pages: plain JSON that static/reports.js hands to Chart.js.

Each chart is ``{id, type, title, labels, datasets: [{label, data}], stacked, unit}``;
``unit`` is ``percent``, ``money`` or ``count`` and only changes how axes and
tooltips read. Figures are numbers (floats are fine here: they are drawn, the
tables beside the charts carry the exact values).
"""
from . import rules


def _num(value):
    return None if value is None else float(value)


def fill_rate_charts(report, trend) -> list[dict]:
    items = report["items"]
    labels = [i["label"] for i in items]
    return [
        {"id": "chart-fill-trend", "type": "line", "unit": "percent", "stacked": False,
         "title": "Fill rate by week, per site",
         "labels": [w["label"] for w in trend["weeks"]],
         "datasets": [{"label": s["label"], "data": [_num(r * 100) if r is not None else None for r in s["rates"]]}
                      for s in trend["sites"]]},
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
