# Dates in tables: "31 dec 2025" (Django's "M" would title-case it to "Dec", which is English
# usage). The rest of Django's Dutch formats stay as they are.
SHORT_DATE_FORMAT = "j b Y"
# Month and year, short: "dec 2028" (dashboard columns, chart ticks).
YEAR_MONTH_FORMAT = "b Y"
# Date and time in tables and history lines: "31 dec 2025 14:05".
SHORT_DATETIME_FORMAT = "j b Y H:i"
