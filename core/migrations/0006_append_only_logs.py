"""The export log and the access log are append-only: on PostgreSQL a trigger refuses UPDATE
and DELETE on them (TRUNCATE, which a test database flush uses, is not a row change). SQLite
has no such guarantee here; the admin refuses changes on every database."""

from django.db import migrations

TABLES = ("alliance_exportlog", "core_accesslog")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the function's text has % signs (RAISE's placeholders), not parameters.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION portal_refuse_change()",
            params=None,
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_user_history_access_log")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
