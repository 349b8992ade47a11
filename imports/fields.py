"""What each kind of import reads, and which column headers mean which field.

Headers differ between products and between versions of one product ("First Name",
"first_name", "FirstName", "Patient First Name"): they are compared without case, spaces,
underscores or punctuation, against the aliases below (Jane's and Cliniko's documented
columns included, ../shared/IMPORT-FORMATS.md). Whatever is left is asked of the person.
"""

import re
from dataclasses import dataclass

IGNORE = ""  # the mapping of a column that is not imported


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    help: str = ""


def header_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(header).casefold())


CLIENT_FIELDS = (
    Field(
        "external_id",
        "Id in the other program",
        (
            "patientnumber",
            "patientid",
            "id",
            "clientid",
            "clientnumber",
            "patientno",
            "chartnumber",
            "recordnumber",
            "uniqueid",
        ),
    ),
    Field(
        "first_name",
        "First name",
        ("firstname", "patientfirstname", "clientfirstname", "givenname", "first", "forename"),
    ),
    Field("middle_name", "Middle name", ("middlename", "patientmiddlename", "middle")),
    Field("last_name", "Last name", ("lastname", "patientlastname", "clientlastname", "surname", "familyname", "last")),
    Field(
        "full_name",
        "Full name (first and last in one column)",
        ("name", "fullname", "patientname", "clientname", "patient", "client"),
    ),
    Field("preferred_name", "Preferred name", ("preferredname", "preferredfirstname", "nickname", "knownas")),
    Field("pronouns", "Pronouns", ("pronouns",)),
    Field(
        "date_of_birth",
        "Date of birth",
        ("birthdate", "dateofbirth", "dob", "birthday", "patientbirthdate", "clientbirthdate", "born"),
    ),
    Field("email", "Email", ("email", "emailaddress", "patientemail", "clientemail", "email1", "primaryemail")),
    Field(
        "mobile_phone",
        "Mobile phone",
        ("mobilephone", "mobile", "cellphone", "cell", "mobilenumber", "mobilephonenumber", "cellphonenumber", "sms"),
    ),
    Field("home_phone", "Home phone", ("homephone", "home", "homephonenumber", "phonehome")),
    Field("work_phone", "Work phone", ("workphone", "work", "businessphone", "workphonenumber", "phonework")),
    Field(
        "phone",
        "Phone (other)",
        (
            "phone",
            "phonenumber",
            "telephone",
            "tel",
            "patientphonenumbers",
            "phonenumbers",
            "primaryphone",
            "otherphone",
            "faxphone",
            "fax",
        ),
    ),
    Field("street", "Street address", ("streetaddress", "address", "address1", "addressline1", "street")),
    Field("street2", "Street address, line 2", ("streetaddress2", "address2", "addressline2")),
    Field("street3", "Street address, line 3", ("address3", "addressline3")),
    Field("city", "City", ("city", "town", "suburb")),
    Field("province", "Province or state", ("province", "state", "region", "provincestate", "county")),
    Field("postal_code", "Postal code", ("postal", "postalcode", "postcode", "zip", "zipcode")),
    Field("country", "Country", ("country",)),
    Field("emergency_name", "Emergency contact name", ("emergencycontactname", "emergencycontact", "emergencyname")),
    Field(
        "emergency_phone",
        "Emergency contact phone",
        ("emergencycontactphone", "emergencyphone", "emergencycontactnumber"),
    ),
    Field(
        "emergency_relationship",
        "Emergency contact relationship",
        ("emergencycontactrelationship", "emergencyrelationship"),
    ),
    Field(
        "referral_source",
        "How they heard of the clinic",
        ("referralsource", "referredby", "source", "howdidyouhearaboutus", "referral"),
    ),
    Field("status", "Active or inactive", ("activeinactive", "status", "active", "patientstatus", "clientstatus")),
    Field(
        "archived_at",
        "Archived, discharged or deceased on",
        ("archivedat", "archived", "dischargedat", "deceasedat", "discharged", "deceased"),
    ),
)

APPOINTMENT_FIELDS = (
    Field("external_id", "Appointment id", ("id", "appointmentid", "appointmentnumber", "bookingid")),
    Field(
        "client_external_id",
        "Client's id in the other program",
        ("patientnumber", "patientid", "clientid", "clientnumber", "patient", "patientno"),
    ),
    Field("client_first_name", "Client's first name", ("patientfirstname", "clientfirstname", "firstname")),
    Field("client_last_name", "Client's last name", ("patientlastname", "clientlastname", "lastname")),
    Field("client_full_name", "Client's full name", ("patientname", "clientname", "name", "client", "fullname")),
    Field("client_date_of_birth", "Client's date of birth", ("patientbirthdate", "dateofbirth", "birthdate", "dob")),
    Field(
        "starts_at",
        "Starts (date and time)",
        (
            "startdatetime",
            "startsat",
            "start",
            "starttime",
            "startdate",
            "appointmentstart",
            "datetime",
            "appointmentdatetime",
            "appointmentdate",
            "date",
            "when",
            "scheduledat",
        ),
    ),
    Field("start_time", "Start time (when the date is a column of its own)", ("time", "appointmenttime")),
    Field("ends_at", "Ends (date and time)", ("enddatetime", "endsat", "end", "endtime", "enddate", "appointmentend")),
    Field(
        "duration",
        "Length (minutes)",
        ("treatmentduration", "duration", "durationminutes", "length", "minutes", "durationinminutes"),
    ),
    Field(
        "service",
        "Service (treatment, appointment type)",
        (
            "treatmentname",
            "appointmenttype",
            "service",
            "treatment",
            "servicename",
            "type",
            "appointmenttypename",
            "product",
        ),
    ),
    Field("price", "Fee", ("treatmentprice", "price", "fee", "amount", "cost", "total")),
    Field(
        "staff",
        "Therapist (staff member, practitioner)",
        (
            "staffmembername",
            "practitioner",
            "staff",
            "therapist",
            "provider",
            "staffmember",
            "practitionername",
            "clinician",
            "employee",
        ),
    ),
    Field("status", "Status", ("status", "appointmentstatus", "attendance", "state")),
    Field("cancelled_at", "Cancelled on", ("cancelledat", "cancelled", "canceledat", "cancellationdate")),
    Field("cancel_reason", "Cancellation reason", ("cancellationreason", "cancelreason", "cancellationnote")),
    Field("did_not_arrive", "Did not arrive (yes/no)", ("didnotarrive", "noshow", "dna")),
    Field("arrived", "Arrived (yes/no)", ("patientarrived", "arrived", "attended", "checkedin")),
    Field("desk_notes", "Notes for the desk", ("notes", "appointmentnotes", "note", "comments", "bookingnotes")),
)

NOTE_FIELDS = (
    Field("external_id", "Note id", ("id", "noteid", "treatmentnoteid", "chartid", "chartentryid")),
    Field(
        "client_external_id",
        "Client's id in the other program",
        ("patientnumber", "patientid", "clientid", "patient", "clientnumber"),
    ),
    Field("client_first_name", "Client's first name", ("patientfirstname", "clientfirstname", "firstname")),
    Field("client_last_name", "Client's last name", ("patientlastname", "clientlastname", "lastname")),
    Field("client_full_name", "Client's full name", ("patientname", "clientname", "name", "client")),
    Field("client_date_of_birth", "Client's date of birth", ("patientbirthdate", "dateofbirth", "birthdate", "dob")),
    Field(
        "title", "Title (note template)", ("title", "notetitle", "template", "templatename", "treatmentnotetemplate")
    ),
    Field(
        "author",
        "Signed by (practitioner)",
        (
            "practitioner",
            "authorname",
            "author",
            "signingdoctor",
            "signedby",
            "staffmembername",
            "staff",
            "therapist",
            "provider",
        ),
    ),
    Field(
        "signed_at",
        "Signed on",
        (
            "finalizedat",
            "signingdate",
            "signedat",
            "signedon",
            "finalisedat",
            "signed",
            "createdat",
            "entereddate",
            "created",
        ),
    ),
    Field("visit_date", "Visit date", ("appointmentdate", "visitdate", "date", "appointmentstart", "startsat")),
    Field("draft", "Draft (yes/no)", ("draft", "isdraft")),
    Field("content", "Content (Cliniko's sections and questions, as JSON)", ("content", "notecontent", "sections")),
    Field("body", "Note text", ("body", "text", "notetext", "note", "notes", "treatmentnote", "soap")),
)

FIELDS = {"clients": CLIENT_FIELDS, "appointments": APPOINTMENT_FIELDS, "notes": NOTE_FIELDS}
# A column left over in a notes file becomes a question of the note, its header the question.
AS_QUESTION = "question"


def fields_of(kind: str) -> dict[str, Field]:
    return {field.name: field for field in FIELDS[kind]}


def field_choices(kind: str) -> list[tuple[str, str]]:
    choices = [(IGNORE, "— not imported —")] + [(field.name, field.label) for field in FIELDS[kind]]
    if kind == "notes":
        choices.append((AS_QUESTION, "A question of the note (the header is the question)"))
    return choices


def guess_columns(headers: list[str], kind: str, remembered: dict[str, str] | None = None) -> dict[str, str]:
    """header -> field for every column: remembered first, then the aliases. A field takes one
    column: the one whose header is its likelier name (Cliniko's "Finalized At" before "Created At")."""
    remembered = remembered or {}
    valid = set(fields_of(kind)) | ({AS_QUESTION} if kind == "notes" else set())
    rank = {}
    for field in FIELDS[kind]:
        for position, alias in enumerate(field.aliases):
            rank.setdefault(alias, (field.name, position))
    mapping, best = {}, {}
    for column, header in enumerate(headers):
        key = header_key(header)
        if remembered.get(key) in valid:
            mapping[header] = remembered[key]
            if remembered[key] != AS_QUESTION:
                best[remembered[key]] = (-1, column, header)
            continue
        mapping[header] = IGNORE
        if key in rank:
            field, position = rank[key]
            if field not in best or (position, column) < best[field][:2]:
                best[field] = (position, column, header)
    for field, (_position, _column, header) in best.items():
        mapping[header] = field
    return mapping


def missing_fields(kind: str, columns: dict[str, str]) -> list[str]:
    """What a file of this kind cannot do without, as sentences for the mapping page."""
    mapped = set(columns.values())
    problems = []
    if kind == "clients":
        if not ({"first_name", "last_name"} <= mapped or "full_name" in mapped):
            problems.append("Choose the columns with the first and last names (or one with the full name).")
    else:
        if not (
            {"client_external_id", "client_full_name"} & mapped or {"client_first_name", "client_last_name"} <= mapped
        ):
            problems.append("Choose the column that says whose record it is (the client's id or name).")
    if kind == "appointments":
        if "starts_at" not in mapped:
            problems.append("Choose the column with the start date and time.")
    if kind == "notes" and not ({"content", "body", AS_QUESTION} & mapped):
        problems.append("Choose the column (or columns) with the note's text.")
    return problems
