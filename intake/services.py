"""Intake writes that span several rows: submit, accept, match, links and consent."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.forms import DateField, Form
from django.forms.models import construct_instance
from django.http import QueryDict
from django.utils import timezone

from clients.models import Client
from clients.search import fold
from intake.forms import (
    STEPS,
    ConsentStepForm,
    ContactStepForm,
    HealthStepForm,
    LifestyleStepForm,
    ReasonStepForm,
)
from intake.models import ConsentText, Intake, IntakeArea, IntakeHistoryEvent, IntakeLink

# The most a link's draft (every step's answers, as stored) may hold. The size limits of
# the answers keep an honest form well below it (the drawn signature is most of it).
DRAFT_MAX_BYTES = 256 * 1024

# Steps whose answers mostly stay true over time: a returning client starts them from
# their last accepted intake (the reason for this visit and the consent are asked afresh).
PREFILLED_STEPS = {"health": HealthStepForm, "lifestyle": LifestyleStepForm}


class IncompleteIntake(Exception):
    """A step's saved answers are missing or invalid; the client must revisit it."""

    def __init__(self, step: str):
        super().__init__(step)
        self.step = step


def steps_for(link: IntakeLink) -> list[str]:
    """The steps this link asks for: staff entering an intake in the room skip contact details."""
    if link.purpose == IntakeLink.Purpose.IN_CLINIC:
        return [step.slug for step in STEPS if step.slug != "contact"]
    return [step.slug for step in STEPS]


def draft_data(link: IntakeLink, step: str) -> QueryDict | None:
    saved = link.draft.get(step)
    if saved is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in saved.items():
        data.setlist(key, values)
    return data


def build_step_form(link: IntakeLink, step: str, data=None, consent: ConsentText | None = None, *, initial=None):
    """The form for one step: bound to `data`, or else to the saved draft (if any).

    With `initial`, the form is unbound and shows those answers (no errors).
    """
    form_class = next(s.form_class for s in STEPS if s.slug == step)
    if data is None and initial is None:
        data = draft_data(link, step)
    kwargs = {}
    if form_class is ContactStepForm:
        kwargs["ask_identity"] = link.purpose == IntakeLink.Purpose.PUBLIC
        if data is None and initial is None and link.client_id:
            initial = _contact_initial(link.client)
    if form_class is HealthStepForm:
        kwargs["born"] = date_of_birth(link)
    if form_class is ConsentStepForm:
        kwargs["consent"] = consent or ConsentText.objects.current()
        kwargs["avoid_areas"] = (draft_data(link, "lifestyle") or QueryDict()).getlist("do_not_work")
        if data is not None and data.get("consent_version") != str(kwargs["consent"].version):
            # Agreement to an earlier wording is not agreement to this one.
            data = data.copy()
            data.pop("agree", None)
    if initial is not None:
        return form_class(initial=initial, **kwargs)
    return form_class(data, **kwargs)


def step_form_to_show(link: IntakeLink, step: str) -> tuple[Form, bool]:
    """The form for a step as the client opens it, and whether it was filled in from an earlier intake.

    Answers saved on the step come back as typed, without errors: those show only once the
    client submits the step. A step not saved yet starts from what the clinic knows: contact
    details from the profile, and answers that stay true over time from the client's own
    last accepted intake, for them to confirm or change.
    """
    saved = build_step_form(link, step)
    if saved.is_bound:
        consent = getattr(saved, "consent", None)  # the consent step's text, read once
        return build_step_form(link, step, consent=consent, initial=saved.initial_answers()), False
    if link.client_id and step in PREFILLED_STEPS and link.may_show_health_history:
        previous = Intake.objects.accepted().filter(client=link.client).order_by("-submitted_at", "-id")
        if step == "health":
            previous = previous.prefetch_related("history_events")
        previous = previous.first()
        if previous is not None:
            return build_step_form(link, step, initial=PREFILLED_STEPS[step].initial_from(previous)), True
    return saved, False


def date_of_birth(link: IntakeLink) -> date | None:
    """The client's date of birth: the profile's, or the one typed on the website form."""
    if link.client_id:
        return link.client.date_of_birth
    contact = draft_data(link, "contact") or QueryDict()
    try:
        return DateField().clean(contact.get("date_of_birth"))
    except ValidationError:
        return None


def _name_key(name: str) -> str:
    """Last names compared without case, accents, spaces, hyphens or apostrophes."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def identity_matches(link: IntakeLink, *, last_name: str, born: date) -> bool:
    """Whether these are the last name and date of birth of the person the link is for.

    A client's link compares them with the profile; the website's new-client form with
    what was typed on its first step. A form whose name or date of birth was erased since
    matches nothing (only the browser that started it may carry on).
    """
    if link.purpose == IntakeLink.Purpose.PUBLIC:
        expected_name = (draft_data(link, "contact") or QueryDict()).get("last_name", "")
    else:
        expected_name = link.client.last_name
    expected_key = _name_key(expected_name)
    return bool(expected_key) and _name_key(last_name) == expected_key and born == date_of_birth(link)


def identity_check(link: IntakeLink, *, last_name: str, born: date) -> bool:
    """One try at unlocking a link: True when the details match; otherwise the try is counted
    (the link locks after its limit, link.is_locked) and False."""
    if identity_matches(link, last_name=last_name, born=born):
        link.mark_opened()
        return True
    link.record_failed_attempt()
    link.refresh_from_db(fields=["failed_attempts"])
    return False


def _contact_initial(client: Client) -> dict:
    return {
        name: getattr(client, name)
        for name in (
            "preferred_name",
            "pronouns",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
        )
    }


def draft_size(draft: dict) -> int:
    """Bytes a draft takes as JSON."""
    return len(json.dumps(draft, ensure_ascii=False).encode())


def save_step(*, link: IntakeLink, step: str, answers: dict, complete: bool) -> bool:
    """Keep what was typed on a step (complete or not), so nothing is lost on leaving.

    `answers` are the step form's own questions, each within its size limit (form.answers());
    `complete` whether the step is valid. Returns False, saving nothing, when the draft would
    grow past DRAFT_MAX_BYTES.
    """
    valid = complete
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().get(pk=link.pk)
        if locked.submitted_at:
            return True
        done = set(locked.draft.get("_done", []))
        (done.add if valid else done.discard)(step)
        draft = {**locked.draft, step: answers, "_done": sorted(done)}
        if draft_size(draft) > DRAFT_MAX_BYTES:
            return False
        locked.draft = draft
        locked.save(update_fields=["draft"])
    link.draft = locked.draft
    return True


def first_incomplete_step(link: IntakeLink) -> str | None:
    done = set(link.draft.get("_done", []))
    return next((step for step in steps_for(link) if step not in done), None)


def intake_submit(*, link: IntakeLink, by=None) -> Intake:
    """Turn a link's saved steps into one Intake, all or nothing.

    Safe to call twice: the link row is locked and a second call returns the
    intake the first one created. Staff entering an intake in the room accept it
    at once; a website form waits for front desk to match it to a client.
    """
    with transaction.atomic():
        link = IntakeLink.objects.select_for_update().get(pk=link.pk)
        if link.submitted_at:
            return link.intake
        consent = ConsentText.objects.current()
        forms = {}
        for step in steps_for(link):
            form = build_step_form(link, step, consent=consent)
            if not form.is_bound or not form.is_valid():
                raise IncompleteIntake(step)
            forms[step] = form

        now = timezone.now()
        intake = Intake(client=link.client, link=link, submitted_at=now, consent=consent, signed_at=now)
        for form in forms.values():
            if hasattr(form, "_meta"):
                construct_instance(form, intake, fields=form._meta.fields)
        health: HealthStepForm = forms["health"]
        intake.cautions, intake.caution_details = health.cautions()
        lifestyle = forms["lifestyle"].cleaned_data
        intake.do_not_work = lifestyle["do_not_work"]
        consent_answers = forms["consent"].cleaned_data
        for field in ("consent_gluteals", "consent_chest", "consent_inner_thigh", "consent_abdomen"):
            setattr(intake, field, consent_answers[field])
        if "contact" in forms:
            intake.contact = forms["contact"].contact_json()

        if link.purpose == IntakeLink.Purpose.PUBLIC:
            intake.status = Intake.Status.UNMATCHED
        elif link.purpose == IntakeLink.Purpose.IN_CLINIC:
            intake.status = Intake.Status.ACCEPTED
            intake.entered_by = by
            intake.reviewed_by = by
            intake.reviewed_at = now
        else:
            intake.status = Intake.Status.AWAITING_REVIEW
        intake.save()

        reason: ReasonStepForm = forms["reason"]
        IntakeArea.objects.bulk_create(
            IntakeArea(intake=intake, region=region, side=side, pain=pain) for region, side, pain in reason.areas()
        )
        IntakeHistoryEvent.objects.bulk_create(
            IntakeHistoryEvent(intake=intake, kind=kind, year=year, description=description)
            for kind, year, description in health.history_events()
        )
        link.submitted_at = now
        link.draft = {}  # the answers now live in the intake only
        link.save(update_fields=["submitted_at", "draft"])
    return intake


def intake_accept(*, intake: Intake, by, update_fields: list[str]) -> Intake:
    """Accept a reviewed intake into the client's history, updating chosen contact details."""
    from intake.answers import CONTACT_LABELS

    with transaction.atomic():
        # Lock only the intake row: the client FK is nullable, and PostgreSQL refuses
        # FOR UPDATE on the nullable side of the outer join select_related makes.
        intake = Intake.objects.select_for_update(of=("self",)).select_related("client").get(pk=intake.pk)
        if intake.status != Intake.Status.AWAITING_REVIEW:
            return intake
        client = intake.client
        changed = []
        for field in update_fields:
            if field in CONTACT_LABELS and field in intake.contact:
                value = intake.contact[field]
                if field == "date_of_birth":
                    value = date.fromisoformat(value)
                setattr(client, field, value)
                changed.append(field)
        if changed:
            client.updated_by = by
            client.full_clean(exclude=["created_by", "updated_by"], validate_unique=False)
            client.save(update_fields=[*changed, "updated_by", "updated_at"])
        intake.approve(by=by)
    return intake


def unmatched_attach(*, intake: Intake, client: Client, by) -> Intake:
    """Front desk: this website submission belongs to an existing client."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.status == Intake.Status.UNMATCHED:
            intake.client = client
            intake.status = Intake.Status.AWAITING_REVIEW
            intake.save(update_fields=["client", "status"])
            IntakeLink.objects.filter(pk=intake.link_id).update(client=client)
    return intake


def unmatched_create_client(*, intake: Intake, by) -> Client:
    """Front desk: this website submission is a new person; create the client from it."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        if intake.status != Intake.Status.UNMATCHED:
            return intake.client
        contact = intake.contact
        client = Client(
            first_name=contact["first_name"],
            last_name=contact["last_name"],
            date_of_birth=date.fromisoformat(contact["date_of_birth"]),
            **{
                field: contact.get(field, "")
                for field in (
                    "preferred_name",
                    "pronouns",
                    "phone",
                    "email",
                    "address",
                    "emergency_contact_name",
                    "emergency_contact_relationship",
                    "emergency_contact_phone",
                )
            },
            created_by=by,
            updated_by=by,
        )
        client.full_clean(exclude=["created_by", "updated_by", "creation_key"])
        client.save()
        intake.client = client
        intake.status = Intake.Status.AWAITING_REVIEW
        intake.save(update_fields=["client", "status"])
        IntakeLink.objects.filter(pk=intake.link_id).update(client=client)
    return client


def intake_link_create(*, client: Client, by, email: bool, link_url) -> tuple[IntakeLink, str]:
    """Issue a link for a client; email it (link only, no health data) after commit.

    `link_url(token)` builds the absolute URL.
    """
    with transaction.atomic():
        link, token = IntakeLink.issue(client=client, purpose=IntakeLink.Purpose.LINK, by=by)
        url = link_url(token)
        if email and client.email:
            link.emailed_to = client.email
            link.emailed_at = timezone.now()
            link.save(update_fields=["emailed_to", "emailed_at"])
            transaction.on_commit(lambda: send_intake_link_email(to=client.email, url=url, expires_at=link.expires_at))
    return link, token


def send_intake_link_email(*, to: str, url: str, expires_at) -> None:
    clinic = settings.CLINIC_NAME
    expires = timezone.localtime(expires_at).strftime("%B %-d, %Y")
    send_mail(
        subject=f"Your intake form for {clinic}",
        message=(
            f"Hello,\n\nBefore your visit, please fill in our intake form:\n\n{url}\n\n"
            f"The link works until {expires}. You will be asked for your last name and date of birth.\n"
            f"If you did not expect this email, you can ignore it.\n\n{clinic}\n"
        ),
        from_email=None,
        recipient_list=[to],
    )


def consent_publish(*, text: str, by) -> ConsentText:
    """Save the consent wording as a new version (earlier versions stay, as signed)."""
    with transaction.atomic():
        current = ConsentText.objects.select_for_update().order_by("-version").first()
        if current and current.text.strip() == text.strip():
            return current
        return ConsentText.objects.create(version=(current.version + 1) if current else 1, text=text, created_by=by)


def purge_stale_drafts(*, days: int, progress=None) -> int:
    """Erase the answers saved on intake links that can no longer be submitted (expired or
    revoked more than `days` days ago, never sent). One statement: running it twice, or on two
    workers, erases nothing twice."""
    cutoff = timezone.now() - timedelta(days=days)
    dead = (
        IntakeLink.objects.filter(submitted_at__isnull=True)
        .exclude(draft={})
        .filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    )
    erased = dead.update(draft={})
    if progress is not None:
        progress.set_total(erased)
        progress.advance(erased)
    return erased
