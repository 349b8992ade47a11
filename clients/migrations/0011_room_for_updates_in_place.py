"""Leave a fifth of each page of clients_client free, so that updating a column no index
covers (last_visit_at, which every booked visit refreshes; status; desk notes) is a HOT
update in place: without room on the page, PostgreSQL writes the row elsewhere and adds it to
all twelve indexes again, four of them GIN (an import of 300,000 visits spent most of its
time there). Pages written from now on get the room; VACUUM FULL gives it to old ones."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clients", "0010_date_of_birth_may_be_unknown")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE clients_client SET (fillfactor = 80);",
            "ALTER TABLE clients_client RESET (fillfactor);",
        )
    ]
