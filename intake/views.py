from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import can_read_clinical, clinical_only
from accounts.ratelimit import rate_limited
from clients.models import Client
from intake import answers as intake_answers
from intake import services
from intake.forms import STEPS_BY_SLUG, AcceptIntakeForm, ConsentTextForm, ContactStepForm, IdentityForm
from intake.models import ConsentText, Intake, IntakeLink

VERIFIED = "intake_verified_links"  # session: links this browser has unlocked
SUBMITTED = "intake_submitted_links"  # session: links this browser has submitted
CHECK_STEP = "intake_check_step"  # session: [link, step] a submission sent the client back to
DRAFT_FULL = "Your answers are too long to save all together. Please shorten the longest ones, then save again."


# --- The client's side: public pages, no account --------------------------------------------


def _remember(request, key: str, link: IntakeLink) -> None:
    ids = set(request.session.get(key, []))
    ids.add(link.pk)
    request.session[key] = sorted(ids)


def _unavailable(request) -> HttpResponse:
    """One answer for unknown, expired, used, revoked and locked links: it reveals nothing."""
    return render(request, "intake/link_unavailable.html", status=404)


def _open_link(request, token: str) -> IntakeLink | None:
    """The usable link for this token that this visitor may fill in, or None."""
    link = IntakeLink.objects.by_token(token).select_related("client").first()
    if link is None or not link.is_usable:
        return None
    if link.purpose == IntakeLink.Purpose.IN_CLINIC and not can_read_clinical(request.user):
        return None
    if link.needs_identity_check and link.pk not in request.session.get(VERIFIED, []):
        return None
    return link


def _step_context(link: IntakeLink | None, step: str, form, token: str = "", prefilled: bool = False) -> dict:
    slugs = services.steps_for(link) if link else [s for s in STEPS_BY_SLUG]
    done = set(link.draft.get("_done", [])) if link else set()
    index = slugs.index(step)
    return {
        "form": form,
        "step": STEPS_BY_SLUG[step],
        "steps": [(STEPS_BY_SLUG[s], s in done) for s in slugs],
        "step_number": index + 1,
        "step_count": len(slugs),
        "is_first": index == 0,
        "is_last": index == len(slugs) - 1,
        "token": token,
        "link": link,
        "in_clinic": bool(link and link.purpose == IntakeLink.Purpose.IN_CLINIC),
        "prefilled": prefilled,
    }


@login_not_required
@never_cache
@rate_limited("public_intake")
def intake_new(request: HttpRequest) -> HttpResponse:
    """The website's new-client form, step 1 (contact details). Later steps use a link of its own."""
    form = ContactStepForm(request.POST or None, ask_identity=True)
    if request.method == "POST" and form.is_valid():
        link, token = IntakeLink.issue(client=None, purpose=IntakeLink.Purpose.PUBLIC)
        services.save_step(link=link, step="contact", answers=form.answers(), complete=True)
        # This browser typed the name and date of birth: it carries on without being asked.
        # Any other browser (the "finish later" link) must give them first.
        _remember(request, VERIFIED, link)
        request.session.cycle_key()
        return redirect("intake:step", token=token, step="reason")
    return render(request, "intake/step.html", _step_context(None, "contact", form))


@login_not_required
@never_cache
@rate_limited("public_intake")
def intake_open(request: HttpRequest, token: str) -> HttpResponse:
    """A link's front door: the client confirms last name and date of birth first."""
    link = IntakeLink.objects.by_token(token).select_related("client").first()
    if link is None or not link.is_usable:
        if link is not None and link.pk in request.session.get(SUBMITTED, []):
            return redirect("intake:done", token=token)
        return _unavailable(request)
    if link.purpose == IntakeLink.Purpose.IN_CLINIC and not can_read_clinical(request.user):
        return _unavailable(request)
    if link.needs_identity_check and link.pk not in request.session.get(VERIFIED, []):
        form = IdentityForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if services.identity_check(
                link, last_name=form.cleaned_data["last_name"], born=form.cleaned_data["date_of_birth"]
            ):
                _remember(request, VERIFIED, link)
                request.session.cycle_key()  # a fresh session id once unlocked
                return redirect("intake:step", token=token, step=services.first_incomplete_step(link) or "consent")
            if link.is_locked:
                return _unavailable(request)
            form.add_error(None, "Those details do not match what the clinic has. Please check them and try again.")
        elif request.method == "GET":
            link.mark_opened()
        return render(request, "intake/identity.html", {"form": form, "token": token})
    link.mark_opened()
    return redirect("intake:step", token=token, step=services.first_incomplete_step(link) or "consent")


@login_not_required
@never_cache
@rate_limited("public_intake")
def intake_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    """One step of the form. Every POST keeps what was typed, valid or not."""
    link = _open_link(request, token)
    if link is None:
        used = IntakeLink.objects.by_token(token).filter(submitted_at__isnull=False).first()
        if used and used.pk in request.session.get(SUBMITTED, []):
            return redirect("intake:done", token=token)  # a second press of "Submit"
        return _unavailable(request)
    slugs = services.steps_for(link)
    if step not in slugs:
        return _unavailable(request)
    if request.method == "POST":
        go = request.POST.get("go", "next")
        form = services.build_step_form(link, step, data=request.POST)
        valid = form.is_valid()
        if not services.save_step(link=link, step=step, answers=form.answers(), complete=valid):
            form.add_error(None, DRAFT_FULL)
            return render(request, "intake/step.html", _step_context(link, step, form, token))
        if form.too_long:  # an answer was cut to its limit: say so before the client moves on
            return render(request, "intake/step.html", _step_context(link, step, form, token))
        index = slugs.index(step)
        if go == "back" and index > 0:
            return redirect("intake:step", token=token, step=slugs[index - 1])
        if go == "later":
            return render(request, "intake/saved.html", {"token": token, "link": link})
        if valid:
            if index < len(slugs) - 1:
                return redirect("intake:step", token=token, step=slugs[index + 1])
            try:
                intake = services.intake_submit(link=link, by=request.user if request.user.is_authenticated else None)
            except services.IncompleteIntake as incomplete:
                messages.error(request, "A step still needs answers. Please complete it, then submit again.")
                request.session[CHECK_STEP] = [link.pk, incomplete.step]  # show what to fix there
                return redirect("intake:step", token=token, step=incomplete.step)
            _remember(request, SUBMITTED, link)
            if link.purpose == IntakeLink.Purpose.IN_CLINIC:
                messages.success(request, "Intake saved to the client's health history.")
                return redirect(intake.client)
            return redirect("intake:done", token=token)
        return render(request, "intake/step.html", _step_context(link, step, form, token))
    if request.session.pop(CHECK_STEP, None) == [link.pk, step]:
        form = services.build_step_form(link, step)  # checked: the client has just submitted
        return render(request, "intake/step.html", _step_context(link, step, form, token))
    # Reopened: the answers as saved, errors only once the client submits.
    form, prefilled = services.step_form_to_show(link, step)
    return render(request, "intake/step.html", _step_context(link, step, form, token, prefilled))


@login_not_required
@never_cache
def intake_done(request: HttpRequest, token: str) -> HttpResponse:
    link = IntakeLink.objects.by_token(token).filter(submitted_at__isnull=False).first()
    if link is None or link.pk not in request.session.get(SUBMITTED, []):
        return _unavailable(request)
    return render(request, "intake/done.html")


# --- Staff: links, website submissions, review and consent -----------------------------------


@permission_required("intake.add_intakelink", raise_exception=True)
@require_POST
def link_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.active(), pk=client_pk)
    if client.date_of_birth is None:  # imported without one: the link's identity check needs it
        messages.error(
            request, "Add the client's date of birth first: the intake form asks for it to confirm who opens the link."
        )
        return redirect("clients:edit", pk=client.pk)
    link, token = services.intake_link_create(
        client=client,
        by=request.user,
        email=bool(request.POST.get("send_email")),
        link_url=lambda token: request.build_absolute_uri(reverse("intake:open", args=[token])),
    )
    if not link.emailed_at:
        # The token is never stored; show the link once, on the next page only. An emailed link
        # is never shown: only the client can open it, so it may start from their health history.
        request.session["new_intake_link"] = {
            "client": client.pk,
            "url": request.build_absolute_uri(reverse("intake:open", args=[token])),
        }
    if link.emailed_at:
        messages.success(request, f"Intake link created and emailed to {link.emailed_to}.")
    else:
        messages.success(request, "Intake link created. Copy it below; it is shown only now.")
    return redirect(client)


@permission_required("intake.change_intakelink", raise_exception=True)
@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(IntakeLink.objects.select_related("client").exclude(client=None), pk=pk)
    link.revoke(by=request.user)
    messages.success(request, "The intake link no longer works.")
    return redirect(link.client)


@clinical_only
@require_POST
def in_clinic_start(request: HttpRequest, client_pk: int) -> HttpResponse:
    """A therapist fills in the intake with the client in the room, on the same form."""
    client = get_object_or_404(Client.objects.active(), pk=client_pk)
    link, token = IntakeLink.issue(client=client, purpose=IntakeLink.Purpose.IN_CLINIC, by=request.user, days=1)
    return redirect("intake:step", token=token, step=services.steps_for(link)[0])


@clinical_only
def review_queue(request: HttpRequest) -> HttpResponse:
    intakes = (
        Intake.objects.visible_to(request.user).awaiting_review().select_related("client").order_by("submitted_at")
    )
    return render(request, "intake/review_queue.html", {"intakes": intakes})


@clinical_only
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.visible_to(request.user).with_answers().exclude(client=None), pk=pk)
    previous = (
        Intake.objects.with_answers()
        .accepted()
        .filter(client=intake.client, submitted_at__lt=intake.submitted_at)
        .order_by("-submitted_at")
        .first()
    )
    contact_changes = intake_answers.contact_changes(intake)
    accept_form = None
    if intake.status == Intake.Status.AWAITING_REVIEW:
        accept_form = AcceptIntakeForm(contact_changes=contact_changes)
    return render(
        request,
        "intake/intake_detail.html",
        {
            "intake": intake,
            "client": intake.client,
            "answers": intake_answers.answers(intake),
            "previous": previous,
            "changes": intake_answers.changes(previous, intake),
            "contact_changes": contact_changes,
            "accept_form": accept_form,
            "areas": list(intake.areas.all()),
            "highlights": {(area.region, area.side): max(area.pain, 1) / 10 for area in intake.areas.all()},
        },
    )


@clinical_only
@require_POST
def intake_accept(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(
        Intake.objects.visible_to(request.user).awaiting_review().select_related("client"), pk=pk
    )
    form = AcceptIntakeForm(request.POST, contact_changes=intake_answers.contact_changes(intake))
    if not form.is_valid():
        messages.error(request, "Choose only details listed on the page.")
        return redirect(intake)
    try:
        services.intake_accept(intake=intake, by=request.user, update_fields=form.cleaned_data["update_fields"])
    except ValidationError as error:
        messages.error(request, f"The profile could not be updated: {'; '.join(error.messages)}")
        return redirect(intake)
    messages.success(request, "Accepted into the client's health history.")
    return redirect(intake.client)


@permission_required("intake.match_intake", raise_exception=True)
def match_queue(request: HttpRequest) -> HttpResponse:
    """Website submissions from new clients: contact details and likely matches, never answers."""
    intakes = list(
        Intake.objects.unmatched().only("id", "contact", "submitted_at", "status").order_by("submitted_at")[:50]
    )
    people = [
        {
            "first_name": i.contact.get("first_name", ""),
            "last_name": i.contact.get("last_name", ""),
            "date_of_birth": i.contact.get("date_of_birth"),
            "email": i.contact.get("email", ""),
            "phone": i.contact.get("phone", ""),
        }
        for i in intakes
    ]
    # One query for every submission's likely matches (not one per submission).
    pending = list(zip(intakes, Client.objects.likely_duplicates_of_each(people), strict=True))
    return render(request, "intake/match_queue.html", {"pending": pending})


@permission_required("intake.match_intake", raise_exception=True)
@require_POST
def match_attach(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.unmatched(), pk=pk)
    client_id = request.POST.get("client", "")
    client = get_object_or_404(Client, pk=client_id if client_id.isdecimal() else 0)
    services.unmatched_attach(intake=intake, client=client, by=request.user)
    messages.success(request, f"Submission attached to {client.display_name}; it now waits for a therapist's review.")
    return redirect("intake:match_queue")


@permission_required("intake.match_intake", raise_exception=True)
@permission_required("clients.add_client", raise_exception=True)
@require_POST
def match_create_client(request: HttpRequest, pk: int) -> HttpResponse:
    intake = get_object_or_404(Intake.objects.unmatched(), pk=pk)
    try:
        client = services.unmatched_create_client(intake=intake, by=request.user)
    except ValidationError as error:
        messages.error(request, f"The client could not be created: {'; '.join(error.messages)}")
        return redirect("intake:match_queue")
    messages.success(request, f"Created {client.display_name}; the submission now waits for a therapist's review.")
    return redirect(client)


@permission_required("intake.add_consenttext", raise_exception=True)
def consent_edit(request: HttpRequest) -> HttpResponse:
    current = ConsentText.objects.current()
    form = ConsentTextForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        saved = services.consent_publish(text=form.cleaned_data["text"], by=request.user)
        messages.success(request, f"Consent version {saved.version} is now the one clients sign.")
        return redirect("intake:consent")
    versions = ConsentText.objects.select_related("created_by").order_by("-version")[:20]
    return render(request, "intake/consent_form.html", {"form": form, "current": current, "versions": versions})
