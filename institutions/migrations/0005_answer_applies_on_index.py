"""An index on (target, applies_on) of the answers, for the figures at national scale.

It serves (indicators.queries and indicators.series):
- the incremental recompute's "answers of this target after day D" (_picked_answers_cte): a
  range of this index instead of every answer of the target;
- series_start's first answer: one probe per target instead of a MIN over every answer.

Plain SQL, not AddIndex, so that it can be built CONCURRENTLY; migration 0008 declares it in
Answer.Meta.indexes (state only).
CONCURRENTLY on PostgreSQL, so that building it on tens of millions of answers does not block
saves; that needs a migration outside a transaction (atomic = False).
"""

from django.db import migrations

INDEX = "answer_target_date"
TABLE = "institutions_answer"


def create_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON {TABLE} (target_id, applies_on)"
    )


def drop_index(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("institutions", "0004_auditevent_round_kinds"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
