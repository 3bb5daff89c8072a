# The Spanish forms of our named date formats (see project/formats/en/formats.py).
LONG_DATE_FORMAT = r"j \d\e F \d\e Y"  # 3 de diciembre de 2026
WEEKDAY_DATE_FORMAT = r"l, j \d\e F \d\e Y"  # jueves, 3 de diciembre de 2026
WEEKDAY_DAY_MONTH_FORMAT = r"l, j \d\e F"  # jueves, 3 de diciembre
WEEKDAY_SHORT_DATE_FORMAT = r"l j \d\e b"  # jueves 3 de dic
# Spanish writes month abbreviations in lower case ("b"), English capitalises them ("M").
SHORT_DAY_MONTH_FORMAT = "j b"  # 3 dic
MEDIUM_DATE_FORMAT = "j b Y"  # 3 dic 2026
MEDIUM_DATETIME_FORMAT = "j b Y, H:i"  # 3 dic 2026, 09:00
WEEKDAY_MEDIUM_DATETIME_FORMAT = "D j b Y, H:i"  # jue 3 dic 2026, 09:00
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j b H:i"  # jue 3 dic 09:00
