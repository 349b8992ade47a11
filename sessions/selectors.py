"""Reads for the client chart and progress pages: a fixed number of queries however long the history."""

from collections import Counter, defaultdict

from django.core.paginator import Paginator
from django.db.models import F, Value
from django.db.models.functions import Coalesce, TruncDate

from bodymap.regions import REGIONS_BY_CODE, area_label
from intake.models import Intake
from sessions.charts import LineChart, Series
from sessions.models import (
    Addendum,
    Assessment,
    ImportedNote,
    NoteArea,
    RangeOfMotionTest,
    SessionNote,
    TreatmentPlan,
)
from sessions.vocabulary import ROM_RESULT_SCORE, Movement, RomResult

TIMELINE_PAGE_SIZE = 20


def _entries(client):
    """(kind, id, date) of every clinical record of the client, as one UNION query."""
    columns = ("kind", "id", "when")
    return (
        Intake.objects.filter(client=client)
        .exclude(status=Intake.Status.UNMATCHED)
        .annotate(kind=Value("intake"), when=TruncDate("submitted_at"))
        .values_list(*columns)
        .union(
            Assessment.objects.filter(client=client)
            .annotate(kind=Value("assessment"), when=F("assessed_on"))
            .values_list(*columns),
            TreatmentPlan.objects.filter(client=client)
            .annotate(kind=Value("plan"), when=F("starts_on"))
            .values_list(*columns),
            SessionNote.objects.filter(client=client)
            .annotate(kind=Value("note"), when=F("visit_date"))
            .values_list(*columns),
            Addendum.objects.filter(note__client=client)
            .annotate(kind=Value("addendum"), when=TruncDate("created_at"))
            .values_list(*columns),
            ImportedNote.objects.filter(client=client)
            .on_chart()
            .annotate(
                kind=Value("imported"), when=Coalesce("visit_date", TruncDate("signed_at"), TruncDate("imported_at"))
            )
            .values_list(*columns),
            all=True,
        )
        .order_by("-when", "-id")
    )


def timeline_page(client, page_number):
    """One page of the chart's timeline, newest first, with each record loaded in one query per kind."""
    page = Paginator(_entries(client), TIMELINE_PAGE_SIZE).get_page(page_number)
    ids = defaultdict(list)
    for kind, pk, _ in page.object_list:
        ids[kind].append(pk)
    loaded = {
        "intake": Intake.objects.in_bulk(ids["intake"]) if ids["intake"] else {},
        "assessment": (
            Assessment.objects.select_related("therapist").prefetch_related("rom_tests").in_bulk(ids["assessment"])
            if ids["assessment"]
            else {}
        ),
        "plan": TreatmentPlan.objects.select_related("therapist").in_bulk(ids["plan"]) if ids["plan"] else {},
        "note": (
            SessionNote.objects.select_related("therapist").prefetch_related("areas").in_bulk(ids["note"])
            if ids["note"]
            else {}
        ),
        "addendum": (
            Addendum.objects.select_related("author", "note").in_bulk(ids["addendum"]) if ids["addendum"] else {}
        ),
        "imported": ImportedNote.objects.in_bulk(ids["imported"]) if ids["imported"] else {},
    }
    page.entries = [(kind, when, loaded[kind][pk]) for kind, pk, when in page.object_list if pk in loaded[kind]]
    return page


def chart_header(client) -> dict:
    """Alerts, the current intake summary and the active plan, shown above the timeline."""
    current = (
        Intake.objects.accepted()
        .filter(client=client)
        .prefetch_related("areas")
        .order_by("-submitted_at", "-id")
        .first()
    )
    plan = TreatmentPlan.objects.filter(client=client).active().first()
    last_note = SessionNote.objects.filter(client=client).order_by("-visit_date", "-id").first()
    return {
        "current_intake": current,
        "alerts": current.alerts() if current else [],
        "do_not_work": sorted(set(current.do_not_work)) if current else [],
        "plan": plan,
        "last_note": last_note,
    }


def _date_label(day) -> str:
    return day.strftime("%b %-d")


def pain_chart(client) -> tuple[LineChart | None, list]:
    rows = list(
        SessionNote.objects.filter(client=client)
        .order_by("visit_date", "id")
        .values_list("visit_date", "pain_before", "pain_after")
    )
    if not rows:
        return None, []
    chart = LineChart(
        title="Pain before and after each visit",
        x_labels=[_date_label(d) for d, _, _ in rows],
        series=[
            Series("Pain before", "series-a", [b for _, b, _ in rows]),
            Series("Pain after", "series-b", [a for _, _, a in rows]),
        ],
        y_min=0,
        y_max=10,
        y_ticks=[(v, str(v)) for v in (0, 2, 4, 6, 8, 10)],
    )
    return chart, rows


def region_pain_chart(client, region: str | None) -> tuple[LineChart | None, list, list, str | None]:
    """Pain per region over visits, from notes' area ratings. Returns chart, rows, region choices, region."""
    counts = Counter(NoteArea.objects.filter(note__client=client, pain__isnull=False).values_list("region", flat=True))
    choices = [(code, REGIONS_BY_CODE[code].label) for code, _ in counts.most_common() if code in REGIONS_BY_CODE]
    if not choices:
        return None, [], [], None
    region = region if region in dict(choices) else choices[0][0]
    rows = list(
        NoteArea.objects.filter(note__client=client, region=region, pain__isnull=False)
        .order_by("note__visit_date", "note_id")
        .values_list("note__visit_date", "side", "pain")
    )
    dates = sorted({d for d, _, _ in rows})
    sides = sorted({s for _, s, _ in rows})
    by_key = {(d, s): p for d, s, p in rows}
    classes = ["series-a", "series-b", "series-c", "series-d"]
    chart = LineChart(
        title=f"Pain in {REGIONS_BY_CODE[region].label} over visits",
        x_labels=[_date_label(d) for d in dates],
        series=[
            Series(area_label(region, side), classes[i % 4], [by_key.get((d, side)) for d in dates])
            for i, side in enumerate(sides)
        ],
        y_min=0,
        y_max=10,
        y_ticks=[(v, str(v)) for v in (0, 2, 4, 6, 8, 10)],
    )
    table = [(d, [by_key.get((d, s)) for s in sides]) for d in dates]
    return chart, table, choices, region


def rom_chart(client, movement: str | None):
    """A movement's range-of-motion results over time, left against right."""
    tested = list(
        RangeOfMotionTest.objects.filter(assessment__client=client)
        .order_by("-assessment__assessed_on")
        .values_list("movement", flat=True)
        .distinct()
    )
    labels = dict(Movement.choices)
    choices = [(m, labels.get(m, m)) for m in dict.fromkeys(tested)]
    if not choices:
        return None, [], [], None
    movement = movement if movement in dict(choices) else choices[0][0]
    rows = list(
        RangeOfMotionTest.objects.filter(assessment__client=client, movement=movement)
        .order_by("assessment__assessed_on", "id")
        .values_list("assessment__assessed_on", "side", "result", "degrees")
    )
    dates = sorted({d for d, _, _, _ in rows})
    results = {}
    for day, side, result, degrees in rows:
        for s in ("left", "right") if side == "both" else (side,):
            results[(day, s)] = (result, degrees)
    result_labels = dict(RomResult.choices)
    chart = LineChart(
        title=f"{labels[movement]}: left and right over time",
        x_labels=[_date_label(d) for d in dates],
        series=[
            Series("Left", "series-a", [ROM_RESULT_SCORE.get(results.get((d, "left"), (None,))[0]) for d in dates]),
            Series("Right", "series-b", [ROM_RESULT_SCORE.get(results.get((d, "right"), (None,))[0]) for d in dates]),
        ],
        y_min=0,
        y_max=3,
        y_ticks=[(score, result_labels[code]) for code, score in ROM_RESULT_SCORE.items()],
    )

    def describe(entry):
        if not entry:
            return "—"
        result, degrees = entry
        return f"{result_labels[result]}{f' ({degrees}°)' if degrees is not None else ''}"

    table = [(d, describe(results.get((d, "left"))), describe(results.get((d, "right")))) for d in dates]
    return chart, table, choices, movement


def region_heat_map(client) -> tuple[dict, list]:
    """How often each region was worked: highlights for the body figure, and the table."""
    counts = Counter(NoteArea.objects.filter(note__client=client).values_list("region", "side"))
    if not counts:
        return {}, []
    most = max(counts.values())
    highlights = {key: count / most for key, count in counts.items()}
    table = sorted(((area_label(r, s), n) for (r, s), n in counts.items()), key=lambda row: -row[1])
    return highlights, table
