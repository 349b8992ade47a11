"""Clinical pages: only therapists and the manager (clinic.view_clinical_records).

Every lookup is scoped to the client in the URL, so a guessed id of another
client's record is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import clinical_only
from clients.models import Client
from sessions import selectors, services
from sessions.forms import (
    AddendumForm,
    AssessmentForm,
    PalpationFormSet,
    RomFormSet,
    SessionNoteForm,
    SpecialTestFormSet,
    TreatmentPlanForm,
    filled_rows,
)
from sessions.models import Assessment, ImportedNote, SessionNote, TreatmentPlan


def _client(pk: int) -> Client:
    return get_object_or_404(Client, pk=pk)


@clinical_only
def chart(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(client_pk)
    page = selectors.timeline_page(client, request.GET.get("page"))
    return render(request, "visits/chart.html", {"client": client, "page": page, **selectors.chart_header(client)})


@clinical_only
def progress(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client(client_pk)
    pain, pain_rows = selectors.pain_chart(client)
    region_chart, region_rows, region_choices, region = selectors.region_pain_chart(client, request.GET.get("region"))
    rom, rom_rows, movement_choices, movement = selectors.rom_chart(client, request.GET.get("movement"))
    heat, heat_rows = selectors.region_heat_map(client)
    return render(
        request,
        "visits/progress.html",
        {
            "client": client,
            "pain_chart": pain,
            "pain_rows": pain_rows,
            "region_chart": region_chart,
            "region_rows": region_rows,
            "region_choices": region_choices,
            "region": region,
            "region_sides": [s.name for s in region_chart.series] if region_chart else [],
            "rom_chart": rom,
            "rom_rows": rom_rows,
            "movement_choices": movement_choices,
            "movement": movement,
            "heat": heat,
            "heat_rows": heat_rows,
        },
    )


@clinical_only
@require_POST
def note_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.active(), pk=client_pk)
    note = services.note_start(
        client=client, therapist=request.user, carry_forward=request.POST.get("carry_forward") == "1"
    )
    return redirect("visits:note_edit", client_pk=client.pk, pk=note.pk)


def _note(request: HttpRequest, client_pk: int, pk: int) -> SessionNote:
    return get_object_or_404(SessionNote.objects.visible_to(request.user).with_details(), client_id=client_pk, pk=pk)


@clinical_only
def note_detail(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    return render(
        request,
        "visits/note_detail.html",
        {
            "note": note,
            "client": note.client,
            "addendum_form": AddendumForm(),
            "missing": services.missing_for_signature(note) if not note.is_signed else [],
            "seal": note.seal_check() if note.is_signed else None,
            "can_edit": note.can_edit(request.user),
            "highlights": {(a.region, a.side): 1 for a in note.areas.all()},
            **selectors.chart_header(note.client),
        },
    )


@clinical_only
def imported_note_detail(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    """A note signed in the software the clinic used before: read-only, with its seal and its origin."""
    note = get_object_or_404(
        ImportedNote.objects.select_related("client", "replaces", "withdrawal").select_related("seal"),
        client_id=client_pk,
        pk=pk,
    )
    newer = ImportedNote.objects.filter(replaces=note).first()
    return render(
        request,
        "visits/imported_note_detail.html",
        {
            "note": note,
            "client": note.client,
            "seal": note.seal_check(),
            "newer": newer,
            **selectors.chart_header(note.client),
        },
    )


@clinical_only
def note_edit(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    if note.is_signed:
        messages.info(request, "This note is signed and locked. Add an addendum to correct or add to it.")
        return redirect(note)
    if not note.can_edit(request.user):
        raise PermissionDenied("Only the author edits a draft note.")
    conflict = None
    form = SessionNoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_save_draft(
                note=note,
                by=request.user,
                version=form.cleaned_data["version"],
                fields={name: form.cleaned_data[name] for name in form._meta.fields},
                areas=form.areas(),
            )
        except services.NoteConflict as error:
            conflict = error.current
            # Keep everything typed; the next save (deliberately) replaces the other tab's version.
            data = request.POST.copy()
            data["version"] = str(conflict.version)
            # A separate instance: validating a ModelForm copies the typed values onto its instance,
            # and `conflict` must keep showing what was saved.
            form = SessionNoteForm(data, instance=SessionNote.objects.with_details().get(pk=note.pk))
            form.is_valid()
        else:
            if request.POST.get("then") == "sign":
                return redirect("visits:note_detail", client_pk=client_pk, pk=pk)
            messages.success(request, "Draft saved.")
            return redirect("visits:note_edit", client_pk=client_pk, pk=pk)
    header = selectors.chart_header(note.client)
    return render(
        request,
        "visits/note_form.html",
        {"note": note, "client": note.client, "form": form, "conflict": conflict, **header},
    )


@clinical_only
@require_POST
def note_sign(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    try:
        services.note_sign(note=note, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(note)
    messages.success(request, "Note signed. It is now locked; corrections are added as addenda.")
    return redirect(note)


@clinical_only
@require_POST
def addendum_create(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    if not note.is_signed:
        messages.error(request, "Addenda are for signed notes; edit the draft instead.")
        return redirect(note)
    form = AddendumForm(request.POST)
    if form.is_valid():
        services.addendum_add(note=note, by=request.user, **form.cleaned_data)
        messages.success(request, "Addendum added.")
        return redirect(note)
    return render(
        request,
        "visits/note_detail.html",
        {
            "note": note,
            "client": note.client,
            "addendum_form": form,
            "missing": [],
            "seal": note.seal_check() if note.is_signed else None,
            "can_edit": False,
            "highlights": {(a.region, a.side): 1 for a in note.areas.all()},
            **selectors.chart_header(note.client),
        },
        status=400,
    )


@clinical_only
def note_print(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    return render(
        request,
        "visits/note_print.html",
        {"note": note, "client": note.client, "seal": note.seal_check() if note.is_signed else None},
    )


@clinical_only
def note_handout(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    note = _note(request, client_pk, pk)
    return render(request, "visits/note_handout.html", {"note": note, "client": note.client})


@clinical_only
def plan_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.active(), pk=client_pk)
    form = TreatmentPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.plan_create(client=client, therapist=request.user, **form.cleaned_data)
        messages.success(request, "Treatment plan saved. The previous plan, if any, is marked completed.")
        return redirect("visits:chart", client_pk=client.pk)
    return render(request, "visits/plan_form.html", {"client": client, "form": form})


@clinical_only
def plan_detail(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        TreatmentPlan.objects.visible_to(request.user).select_related("client", "therapist"), client_id=client_pk, pk=pk
    )
    return render(request, "visits/plan_detail.html", {"plan": plan, "client": plan.client})


@clinical_only
@require_POST
def plan_complete(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    plan = get_object_or_404(TreatmentPlan.objects.visible_to(request.user).active(), client_id=client_pk, pk=pk)
    plan.complete()
    messages.success(request, "Plan marked completed.")
    return redirect("visits:chart", client_pk=client_pk)


@clinical_only
def assessment_new(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.active(), pk=client_pk)
    note = None
    note_id = request.GET.get("note") or request.POST.get("note")
    if note_id and str(note_id).isdecimal():
        note = get_object_or_404(SessionNote.objects.editable_by(request.user), client=client, pk=note_id)
    data = request.POST or None
    form = AssessmentForm(data)
    rom, palpation, special = (
        RomFormSet(data, prefix="rom"),
        PalpationFormSet(data, prefix="palpation"),
        SpecialTestFormSet(data, prefix="special"),
    )
    if request.method == "POST" and all(f.is_valid() for f in (form, rom, palpation, special)):
        assessment = services.assessment_create(
            client=client,
            therapist=request.user,
            note=note,
            rom_tests=filled_rows(rom),
            palpation_findings=filled_rows(palpation),
            special_tests=filled_rows(special),
            **form.cleaned_data,
        )
        messages.success(request, "Assessment saved.")
        return redirect(note.get_absolute_url() if note else assessment.get_absolute_url())
    return render(
        request,
        "visits/assessment_form.html",
        {"client": client, "form": form, "rom": rom, "palpation": palpation, "special": special, "note": note},
    )


@clinical_only
def assessment_detail(request: HttpRequest, client_pk: int, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user)
        .select_related("client", "therapist", "note")
        .prefetch_related("rom_tests", "palpation_findings", "special_tests"),
        client_id=client_pk,
        pk=pk,
    )
    return render(request, "visits/assessment_detail.html", {"assessment": assessment, "client": assessment.client})
