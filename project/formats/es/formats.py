# The Spanish forms of our named date formats (see project/formats/en/formats.py).
LONG_DATE_FORMAT = r"j \d\e F \d\e Y"  # 3 de diciembre de 2026
WEEKDAY_DATE_FORMAT = r"l, j \d\e F \d\e Y"  # jueves, 3 de diciembre de 2026
WEEKDAY_DAY_MONTH_FORMAT = r"l, j \d\e F"  # jueves, 3 de diciembre
WEEKDAY_SHORT_DATE_FORMAT = r"l j \d\e M"  # jueves 3 de dic
