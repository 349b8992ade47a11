"""Demo staff and clients for `make run`. Never loaded anywhere else.

Idempotent: running it again creates nothing twice.
"""

import random
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.roles import FRONT_DESK, MANAGER, THERAPIST
from clients.models import Client
from demo.data import load_clinical_histories, load_schedule

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package

DEMO_PASSWORD = "demo-clinic-2026"

DEMO_STAFF = [
    ("frontdesk", "Fran", "Desk", FRONT_DESK, False),
    ("therapist", "Theo", "Hands", THERAPIST, False),
    ("therapist2", "Ana", "Ruiz", THERAPIST, False),
    ("manager", "Mara", "Lead", MANAGER, True),
]

# first, last, preferred, date of birth, phone (mixed formats on purpose), email
DEMO_CLIENTS = [
    ("John", "Smith", "", date(1980, 3, 14), "555-010-2000", "john.smith@example.com"),
    ("Jon", "Smyth", "", date(1991, 7, 2), "(555) 010-2001", ""),
    ("Zoë", "Dubois", "Zoe", date(1987, 11, 23), "555.010.2002", "zoe.dubois@example.com"),
    ("Siobhán", "O'Connor", "", date(1975, 1, 9), "+1 555 010 2003", "siobhan@example.com"),
    ("José", "García-López", "Pepe", date(1969, 5, 30), "5550102004", "jose.garcia@example.com"),
    ("Mary-Kate", "Nguyen", "MK", date(1995, 9, 17), "555 010 2005", ""),
    ("Ahmed", "Haddad", "", date(1983, 12, 1), "555-010-2006", "ahmed.h@example.com"),
    ("Priya", "Raman", "", date(1990, 4, 25), "(555) 010-2007", "priya.raman@example.com"),
    ("Björn", "Lindqvist", "", date(1978, 8, 8), "555-010-2008", ""),
    ("Chloé", "Martin", "", date(2001, 2, 14), "555-010-2009", "chloe.martin@example.com"),
    ("Liam", "O'Brien", "", date(1998, 6, 6), "555-010-2010", "liam.obrien@example.com"),
    ("Aiko", "Tanaka", "", date(1985, 10, 10), "555-010-2011", ""),
    ("Grace", "Okafor", "", date(1972, 3, 3), "555-010-2012", "grace.okafor@example.com"),
    ("Lucas", "Silva", "", date(1993, 12, 19), "555-010-2013", ""),
    ("Emily", "Johnson", "Em", date(1988, 7, 21), "555-010-2014", "emily.j@example.com"),
    ("Mateo", "Rossi", "", date(1979, 9, 9), "555-010-2015", ""),
    ("Hannah", "Schmidt", "", date(1966, 1, 28), "555-010-2016", "hannah.s@example.com"),
    ("Noah", "Williams", "", date(2003, 5, 5), "555-010-2017", ""),
    ("Fatima", "Zahra", "", date(1992, 11, 11), "555-010-2018", "fatima.z@example.com"),
    ("Olivia", "Brown", "Liv", date(1984, 8, 18), "555-010-2019", ""),
]


class Command(BaseCommand):
    help = "Load demo staff and clients (development only; used by `make run`)."

    @transaction.atomic
    def handle(self, *args, **options):
        from django.contrib.auth.models import Group

        created_staff = 0
        for username, first, last, role, is_staff in DEMO_STAFF:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "is_staff": is_staff}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created_staff += 1
            user.groups.add(Group.objects.get(name=role))

        creator = User.objects.get(username="frontdesk")
        rng = random.Random(7)
        created_clients = 0
        for first, last, preferred, dob, phone, email in DEMO_CLIENTS:
            _, created = Client.objects.get_or_create(
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                defaults={
                    "preferred_name": preferred,
                    "phone": phone,
                    "email": email,
                    "preferred_pressure": rng.choice(["light", "moderate", "firm", "deep", ""]),
                    "referral_source": rng.choice(["Friend", "Web search", "Doctor referral", ""]),
                    "created_by": creator,
                    "updated_by": creator,
                },
            )
            created_clients += created
        histories = load_clinical_histories(therapist=User.objects.get(username="therapist"), rng=rng)
        visits = load_schedule(therapists=list(User.objects.therapists()), rng=rng)
        self.stdout.write(
            f"Demo data: {created_staff} staff, {created_clients} clients, {histories} clinical histories "
            f"and {visits} booked visits created."
        )
