"""Kazakh dates (Django ships none): CLDR's order, year first with "ж." and the day after the month's
name; the short form is CLDR's dd.MM with a four-digit year. Unreviewed by a native speaker."""

DATE_FORMAT = "Y \\ж. j F"
DATETIME_FORMAT = "Y \\ж. j F, H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "Y \\ж. F"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
