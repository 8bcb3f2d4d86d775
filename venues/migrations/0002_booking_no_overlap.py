"""No double booking, guaranteed by PostgreSQL: an exclusion constraint over the room and the
half-open time range of every requested-or-approved booking (needs btree_gist for `room =`).

Only PostgreSQL gets it; on SQLite this migration does nothing and venues.services checks
overlaps inside the writing transaction (SQLite serializes writers). The constraint is not in
the model's Meta, so the migration state (and `makemigrations --check`) is the same on both.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT venues_booking_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange("start", "end", '[)') WITH &&)
    WHERE (status IN ('requested', 'approved'));
"""
DROP = "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS venues_booking_no_overlap;"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
