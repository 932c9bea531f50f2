"""Korean as Koreans write it: "2026년 12월 5일", "2026년 12월"; times on the 24-hour clock
("14:30", Django's default "A g:i" puts 오후 before a 12-hour time), short dates "2026. 12. 5."."""

DATE_FORMAT = "Y년 n월 j일"
DATETIME_FORMAT = "Y년 n월 j일 H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y년 n월"
MONTH_DAY_FORMAT = "n월 j일"
SHORT_DATE_FORMAT = "Y. n. j."
SHORT_DATETIME_FORMAT = "Y. n. j. H:i"
