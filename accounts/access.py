"""Who may do what: each access rule of the app, once.

Roles (accounts/roles.py) hand out permissions; this module names the rules built on them.
Views use the decorators, templates the `access` context (clinic/context_processors.py),
selectors and services the `can_*` helpers, and each clinical model's queryset has
`visible_to(user)` (and notes `editable_by(user)`) built on the same helpers. A rule changes
here and nowhere else.
"""

from django.contrib.auth.decorators import permission_required

# Read and write clinical records: intakes' answers, assessments, plans, notes, the chart.
CLINICAL_RECORDS = "clinic.view_clinical_records"
# Run the clinic: staff, services and fees, the consent text, audits, sign-in security.
MANAGE_CLINIC = "clinic.manage_clinic"
# The appointment book: see, book and move visits.
VIEW_SCHEDULE = "scheduling.view_appointment"
BOOK_VISITS = "scheduling.add_appointment"
CHANGE_VISITS = "scheduling.change_appointment"

clinical_only = permission_required(CLINICAL_RECORDS, raise_exception=True)
manager_only = permission_required(MANAGE_CLINIC, raise_exception=True)


def can_read_clinical(user) -> bool:
    """Therapists and the manager; never front desk (they see that an intake is on file, not what it says)."""
    return user.has_perm(CLINICAL_RECORDS)


def can_manage_clinic(user) -> bool:
    return user.has_perm(MANAGE_CLINIC)


def is_author(user, record) -> bool:
    """Only the therapist who wrote a draft (note, plan) edits or signs it."""
    return record.therapist_id == user.pk
