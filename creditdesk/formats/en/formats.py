"""English dates as our readers in Latin America read them, and as our long forms
("Monday 7 December, 12:00", `core.formatting.moment_text`) already write them: the day
first, the month in words, a 24-hour clock. Django's English writes US forms
("12/07/2026 9:55 a.m."), which a reader used to 07/12/2026 takes for the 12th of July.

Numbers stay as Django's English writes them (and as `core.amounts` reads English amounts:
"1,234.50").

The *_FORMAT strings use Django's date format syntax; the *_INPUT_FORMATS strftime's.
"""

DATE_FORMAT = "j F Y"  # 7 December 2026
TIME_FORMAT = "H:i"  # 09:55
DATETIME_FORMAT = "j F Y, H:i"  # 7 December 2026, 09:55
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 7 December
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 7 Dec 2026, 09:55

# What a person may type in a date box: ISO 8601 first (the admin's date boxes show it and
# the pages' date inputs send it), then the forms these pages write. Not Django's US
# "%m/%d/%Y": typed "07/12/2026" it would silently mean 12 July to a reader who means 7
# December; refused, it is typed again.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-07
    "%d %b %Y",  # 7 Dec 2026
    "%d %B %Y",  # 7 December 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-12-07 09:55:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-12-07 09:55:59.000200
    "%Y-%m-%d %H:%M",  # 2026-12-07 09:55
    "%d %b %Y, %H:%M",  # 7 Dec 2026, 09:55
    "%d %B %Y, %H:%M",  # 7 December 2026, 09:55
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 09:55:59
    "%H:%M:%S.%f",  # 09:55:59.000200
    "%H:%M",  # 09:55
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
