"""The clinic's clock: local days and times in the clinic's time zone (TIME_ZONE), clock
changes (times that occur twice or not at all), and typed dates kept within the calendar
(timeutil.py, dayrange.py). Plain functions, no models; every app may use them."""
