"""What PostgreSQL's plan of a query read: for tests that a read stays
small however large its table grows (an index used, not a scan of all)."""

import json


def rows_read(queryset) -> int:
    """Rows the query's scans took from tables and indexes, kept or filtered
    out, when run now (EXPLAIN ANALYZE). PostgreSQL only."""
    return _rows_read(json.loads(queryset.explain(format="json", analyze=True))[0]["Plan"])


def _rows_read(plan: dict) -> int:
    own = 0
    if "Scan" in plan["Node Type"]:
        own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * plan["Actual Loops"]
    return own + sum(_rows_read(child) for child in plan.get("Plans", []))
