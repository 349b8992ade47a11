"""Audit filter dates at the edges of the calendar: taken as the nearest day the log can
be filtered by (no end, or from the beginning), never a server error."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog

pytestmark = pytest.mark.django_db

ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
EDGES = [
    pytest.param({"date_to": "9999-12-31"}, id="to-the-last-day"),
    pytest.param({"date_from": "0001-01-01"}, id="from-the-first-day"),
    pytest.param({"date_from": "0001-01-01", "date_to": "9999-12-31"}, id="both"),
    pytest.param({"date_to": "9999-12-30"}, id="to-the-day-before-last"),
]


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("dates", EDGES)
@pytest.mark.parametrize("tab", ["reads", "changes"])
def test_the_whole_log_is_filtered_from_the_first_day_or_to_the_last(
    settings, manager_client, therapist, client_record, zone, dates, tab
):
    settings.TIME_ZONE = zone
    AccessLog.objects.create(
        user=therapist, client=client_record, page="visits:chart", allowed=True, ip="192.0.2.10", at=timezone.now()
    )

    log = manager_client.get(reverse("audit:log"), {"tab": tab, **dates})
    history = manager_client.get(reverse("audit:client", args=[client_record.pk]), {"tab": tab, **dates})

    for response in (log, history):
        assert response.status_code == 200
        assert not response.context["form"].errors
    if tab == "reads":
        assert [line.client for line in log.context["page"].object_list] == [client_record]
        assert [line.client for line in history.context["page"].object_list] == [client_record]
