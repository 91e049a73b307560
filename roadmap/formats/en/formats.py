# The same formats as Dutch has here (roadmap/formats/nl), in English usage.
SHORT_DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
