# Our named date formats, used in templates as {{ day|date:"WEEKDAY_DATE_FORMAT" }}.
# Django looks a name up in these modules first (FORMAT_MODULE_PATH), then in
# its own; each name must exist for every language in LANGUAGES.
LONG_DATE_FORMAT = "j F Y"  # 3 December 2026
WEEKDAY_DATE_FORMAT = "l j F Y"  # Thursday 3 December 2026
WEEKDAY_DAY_MONTH_FORMAT = "l j F"  # Thursday 3 December
WEEKDAY_SHORT_DATE_FORMAT = "l j M"  # Thursday 3 Dec
