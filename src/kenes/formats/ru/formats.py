"""Russian: Django's formats, but a day and month in the genitive (15 марта, not 15 Март)."""

MONTH_DAY_FORMAT = "j E"
