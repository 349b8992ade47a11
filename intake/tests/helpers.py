"""Valid answers for every step of the intake form, and shortcuts to walk it over HTTP."""

from django.urls import reverse

from intake.models import ConsentText
from intake.vocabulary import Caution

# Distinctive answers, so tests can tell where health data went (and where it must not go).
MAIN_COMPLAINT = "Throbbing ache under the left shoulder blade since the marathon"
CAUTION_DETAIL = "Warfarin 5 mg since March"
EVENT_DESCRIPTION = "Broke the right wrist snowboarding"


def step_data(step: str, *, identity: bool = False, **overrides) -> dict:
    """POST data that passes the given step's validation.

    `identity=True` adds name and date of birth to the contact step (the website's
    new-client form asks for them). `overrides` replace or add fields; a value of
    None removes the field.
    """
    if step == "contact":
        data = {
            "preferred_name": "Sam",
            "pronouns": "she/her",
            "phone": "(555) 010-2000",
            "email": "sam.new@example.com",
            "address": "12 Elm Street",
            "emergency_contact_name": "Chris Rivera",
            "emergency_contact_relationship": "Partner",
            "emergency_contact_phone": "555 010 3000",
        }
        if identity:
            data |= {"first_name": "Samantha", "last_name": "Rivera", "date_of_birth": "1985-06-02"}
    elif step == "reason":
        data = {
            "main_complaint": MAIN_COMPLAINT,
            "duration": "months",
            "onset": "After a long run",
            "better": "Hot showers",
            "worse": "Carrying a backpack",
            "area_upper_back_side": "left",
            "area_upper_back_pain": "7",
            "area_lower_back_side": "both",
            "area_lower_back_pain": "4",
        }
    elif step == "health":
        data = {f"caution_{code}": "no" for code in Caution.values}
        data |= {
            "caution_blood_thinners": "yes",
            "caution_blood_thinners_details": CAUTION_DETAIL,
            "caution_allergy": "yes",  # nuts are ticked below
            "medical_conditions": "Migraines",
            "medications": "Warfarin",
            "allergies": ["nuts"],
            "allergies_other": "",
            "event_0_kind": "injury",
            "event_0_year": "2016",
            "event_0_description": EVENT_DESCRIPTION,
        }
    elif step == "lifestyle":
        data = {
            "occupation": "Teacher",
            "work_posture": "standing",
            "activity_level": "active",
            "sports": "Running",
            "sleep_quality": "4",
            "stress_level": "6",
            "goals": "Run without pain",
            "pressure": "firm",
            "do_not_work": ["ankle_foot"],
            "do_not_work_other": "",
            "draping": "",
        }
    elif step == "consent":
        data = {
            "consent_version": str(ConsentText.objects.current().version),
            "consent_gluteals": "yes",
            "consent_chest": "no",
            "consent_inner_thigh": "no",
            "consent_abdomen": "yes",
            "agree": "on",
            "signature_name": "Samantha Rivera",
            "signature_drawing": "",
        }
    else:
        raise ValueError(step)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def step_url(token: str, step: str) -> str:
    return reverse("intake:step", args=[token, step])


def verify_identity(http_client, token: str, client_record, *, last_name: str | None = None):
    """Confirm last name and date of birth on the link's front door."""
    return http_client.post(
        reverse("intake:open", args=[token]),
        {
            "last_name": client_record.last_name if last_name is None else last_name,
            "date_of_birth": client_record.date_of_birth.isoformat(),
        },
    )


def post_step(http_client, token: str, step: str, *, go: str = "next", **overrides):
    return http_client.post(step_url(token, step), {**step_data(step, **overrides), "go": go})


def fill_steps(http_client, token: str, steps, **overrides_by_step) -> list:
    """POST valid answers to each step in turn; return the responses (each must move on)."""
    responses = []
    for step in steps:
        response = post_step(http_client, token, step, **overrides_by_step.get(step, {}))
        assert response.status_code == 302, (step, response.content.decode()[:2000])
        responses.append(response)
    return responses


LINK_STEPS = ["contact", "reason", "health", "lifestyle", "consent"]
IN_CLINIC_STEPS = ["reason", "health", "lifestyle", "consent"]
PUBLIC_STEPS_AFTER_CONTACT = ["reason", "health", "lifestyle", "consent"]
