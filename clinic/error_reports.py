"""Error reports (Django's DEBUG page, error emails) that hold no health data.

Settings: DEFAULT_EXCEPTION_REPORTER and DEFAULT_EXCEPTION_REPORTER_FILTER.
"""

import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from clinic.logging import redact_database_details


class ClinicExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the DEBUG page, error emails) without health data or secrets.

    Django's filter hides only what a view marks as sensitive. Here every POST value, every
    query-string value and every local variable of the traceback is hidden (forms and
    querysets in a view's locals are health data), as are settings and request headers that
    look like credentials or carry a query string. Active with DEBUG on as well: a
    development server pointed at real records must not show them either.
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|PRIVATE|DSN|DATABASE_URL|EMAIL_URL"
        # Request headers holding the query string or a previous page's full address.
        "|QUERY_STRING|REQUEST_URI|RAW_URI|REFERER",
        flags=re.I,
    )

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed.setlist(key, [self.cleansed_substitute])
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class ClinicExceptionReporter(ExceptionReporter):
    """Django's error report, with the query string and database DETAIL lines left out."""

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self.request is not None:
            substitute = self.filter.cleansed_substitute
            data["request_GET_items"] = [(key, substitute) for key in self.request.GET]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
        if "exception_value" in data:
            data["exception_value"] = redact_database_details(data["exception_value"])
        return data
