# Our named date formats, used in templates as {{ day|date:"WEEKDAY_DATE_FORMAT" }}.
# Django looks a name up in these modules first (FORMAT_MODULE_PATH), then in
# its own; each name must exist for every language in LANGUAGES.
LONG_DATE_FORMAT = "j F Y"  # 3 December 2026
WEEKDAY_DATE_FORMAT = "l j F Y"  # Thursday 3 December 2026
WEEKDAY_DAY_MONTH_FORMAT = "l j F"  # Thursday 3 December
WEEKDAY_SHORT_DATE_FORMAT = "l j M"  # Thursday 3 Dec
SHORT_DAY_MONTH_FORMAT = "j M"  # 3 Dec
MEDIUM_DATE_FORMAT = "j M Y"  # 3 Dec 2026
MEDIUM_DATETIME_FORMAT = "j M Y, H:i"  # 3 Dec 2026, 09:00
WEEKDAY_MEDIUM_DATETIME_FORMAT = "D j M Y, H:i"  # Thu 3 Dec 2026, 09:00
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j M H:i"  # Thu 3 Dec 09:00
