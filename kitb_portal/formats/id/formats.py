"""Indonesian as Indonesians write it: "5 Desember 2026" (Django's "j N Y" gives "5 Des. 2026"),
times with a dot ("09.00", as Django has it), weeks from Monday."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
FIRST_DAY_OF_WEEK = 1
