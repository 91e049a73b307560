"""Fictional institutions and answers at a chosen scale, in the current database, and their
removal. Codes start with a letter (``X001``): real BRIN codes and the demo codes start with two
digits, so they cannot clash.

- ``generate_data``: institutions (some join halfway, some merge) and a monthly answer history
  for each answerable target (INSERT ... SELECT on PostgreSQL, bulk inserts elsewhere).
- ``create_institutions``: just the institutions, for the import benchmark.
- ``delete_generated``: removes what these made.
- ``save_state`` / ``restore_state``: the snapshots and recompute log from before a run.

Why bulk inserts and not the apps' functions: the only way the app creates institutions is
the ``import_institutions`` command, which refuses codes that are not BRIN codes (ours start
with X on purpose); so they are bulk-inserted with the history row each that its
``Institution.save()`` writes (django-simple-history's own ``bulk_create_with_history``). And
``institutions.actions.do_import_answers`` cannot set ``entered_at`` (the generated history
needs the entry time on the answer's own day, with same-day corrections), enqueues a recompute
for the worker, and cannot make the millions of answers of 20,000 institutions x 36 months in
minutes. So the answers are inserted here as ``do_import_answers`` stores them (source
"import", no user, empty explanation and evidence link), and its own ``bump_answer_versions``
gives every answered slot its version, as after one import of the whole history.
"""

import contextlib
import datetime
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from indicators.models import RecomputeRun, Snapshot
from institutions.actions import bump_answer_versions
from institutions.models import (
    Answer,
    AnswerReview,
    AnswerSlot,
    AnswerStatus,
    Institution,
    Membership,
)
from institutions.queries import answerable_targets
from institutions.validation import value_field

CODE_PREFIX = "X"  # BRIN codes (and the demo's) start with two digits: these never clash
NAME_PREFIX = "Benchmarkinstelling"
REGION = "Benchmark"
STATUSES = AnswerStatus.values
_CODE_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_INSTITUTIONS = len(_CODE_DIGITS) ** 3


def _code(number: int) -> str:
    digits = ""
    for _ in range(3):
        number, rest = divmod(number, len(_CODE_DIGITS))
        digits = _CODE_DIGITS[rest] + digits
    return CODE_PREFIX + digits


def generated_institutions():
    return Institution.objects.filter(
        code__startswith=CODE_PREFIX, name__startswith=NAME_PREFIX, region=REGION
    )


@dataclass
class Generated:
    institutions: int
    answers: int
    seconds: float


def _month_start(today: datetime.date, months_back: int) -> datetime.date:
    month = today.year * 12 + today.month - 1 - months_back
    return datetime.date(month // 12, month % 12 + 1, 1)


def _value(field_name: str, progress: float, rng: random.Random) -> tuple:
    """(status, score, percentage) for a fictional answer at this progress (0..1)."""
    if field_name == "status":
        position = min(len(STATUSES) - 1, int(progress * len(STATUSES) + rng.random() * 0.8))
        return STATUSES[position], None, None
    if field_name == "score":
        score = min(5.0, max(0.0, 1.5 + progress * 2.5 + rng.uniform(-0.5, 0.5)))
        return None, Decimal(f"{score:.1f}"), None
    percentage = min(100.0, max(0.0, 15 + progress * 70 + rng.uniform(-10, 10)))
    return None, None, Decimal(f"{percentage:.2f}")


def _answer_rows(
    institutions: Sequence[Institution],
    targets: Sequence[tuple[int, str]],
    months: int,
    today: datetime.date,
    seed: int,
) -> Iterator[tuple]:
    """Roughly one answer per institution, answerable target and month, for ``months`` months
    up to today; a few institutions never answer, a few months are skipped, and about 1% of
    answers are corrected on the same day (some with the very same entered_at)."""
    rng = random.Random(seed)
    for number, institution in enumerate(institutions):
        if number % 25 == 24:
            continue  # never answers
        pace = rng.uniform(0.2, 1.0)
        for target_id, field_name in targets:
            for step in range(months):
                start = _month_start(today, months - 1 - step)
                last = today.day if (start.year, start.month) == (today.year, today.month) else 28
                day = start.replace(day=rng.randint(1, last))
                if rng.random() < 0.05 or not institution.is_active_on(day):
                    continue
                progress = min(1.0, pace * (step + 1) / months)
                entered = datetime.datetime.combine(
                    day, datetime.time(8), tzinfo=datetime.UTC
                ) + datetime.timedelta(minutes=rng.randint(0, 600))
                yield (institution.pk, target_id, *_value(field_name, progress, rng), day, entered)
                if rng.random() < 0.01:
                    later = entered if rng.random() < 0.5 else entered + datetime.timedelta(hours=1)
                    value = _value(field_name, progress, rng)
                    yield (institution.pk, target_id, *value, day, later)


def create_institutions(
    periods: Sequence[tuple[datetime.date, datetime.date | None]],
) -> list[Institution]:
    """One generated institution per (active_from, active_to), numbered X000, X001, ...; by
    code. Bulk-inserted with their history rows, see the module docstring."""
    if len(periods) > MAX_INSTITUTIONS:
        raise ValueError(f"institutions must be between 1 and {MAX_INSTITUTIONS}")
    rows = []
    for number, (active_from, active_to) in enumerate(periods):
        code = _code(number)
        rows.append(
            Institution(
                code=code,
                name=f"{NAME_PREFIX} {code}",
                kind=Institution.Kind.ROC,
                region=REGION,
                active_from=active_from,
                active_to=active_to,
            )
        )
    bulk_create_with_history(rows, Institution, batch_size=1000)
    return list(generated_institutions().order_by("code"))


def _claim_answered_slots(institutions: Sequence[Institution], chunk: int = 1000) -> None:
    """Every answered (institution, target) slot at version 1, as after one import of the
    history (do_import_answers moves them on the same way)."""
    for start in range(0, len(institutions), chunk):
        pairs = Answer.objects.filter(institution__in=institutions[start : start + chunk])
        bump_answer_versions(set(pairs.values_list("institution_id", "target_id").distinct()))


def generate_data(
    *,
    institutions: int,
    months: int,
    today: datetime.date,
    seed: int = 2026,
    targets: int | None = None,
    progress=None,
) -> Generated:
    """Fictional institutions and answers at this scale (earlier generated data is replaced):
    for the first ``targets`` answerable targets (all when None). On PostgreSQL the database
    generates the answers itself (INSERT ... SELECT, a bulk insert: tens of millions of rows in
    minutes); elsewhere Python generates them and inserts them in batches."""
    if not 1 <= institutions <= MAX_INSTITUTIONS:
        raise ValueError(f"institutions must be between 1 and {MAX_INSTITUTIONS}")
    answerable = list(answerable_targets().order_by("pk"))
    if targets is not None and not 1 <= targets <= len(answerable):
        raise ValueError(f"targets must be between 1 and {len(answerable)} (the answerable ones)")
    started = time.perf_counter()
    delete_generated()
    # Everyone active from the first month of the history on (or 2020, whichever is earlier).
    first_day = min(datetime.date(2020, 1, 1), _month_start(today, months - 1))
    periods = []
    for number in range(institutions):
        active_from, active_to = first_day, None
        if number % 40 == 39:  # joins halfway
            active_from = _month_start(today, months // 2)
        elif number % 50 == 49:  # merges two thirds of the way
            active_to = _month_start(today, months // 3) - datetime.timedelta(days=1)
        periods.append((active_from, active_to))
    created = create_institutions(periods)
    chosen = [(t.pk, value_field(t)) for t in answerable[:targets]]
    if connection.vendor == "postgresql":
        count = _generate_answers_in_database(created, chosen, months, today, seed, progress)
    else:
        count = _insert_answers(_answer_rows(created, chosen, months, today, seed))
    _claim_answered_slots(created)
    _analyze()
    return Generated(len(created), count, time.perf_counter() - started)


# The same shape of data as _answer_rows, made by PostgreSQL itself: per institution (every
# 25th never answers), answerable target and month one answer on a random day (5% of months
# skipped, none while the institution is inactive), 1% corrected on the same day (half with the
# very same entered_at). random() after setseed() makes it repeatable.
_GENERATE_SQL = """
    INSERT INTO {answer} (institution_id, target_id, status, score, percentage, applies_on,
                          entered_at, explanation, evidence_url, source)
    SELECT institution_id, target_id,
           CASE WHEN field = 'status' THEN (%(statuses)s::text[])[1 + LEAST(
               %(n_statuses)s - 1, floor(progress * %(n_statuses)s + random() * 0.8)::int)] END,
           CASE WHEN field = 'score' THEN round(LEAST(5.0, GREATEST(0.0,
               1.5 + progress * 2.5 + random() - 0.5))::numeric, 1) END,
           CASE WHEN field = 'percentage' THEN round(LEAST(100.0, GREATEST(0.0,
               15 + progress * 70 + random() * 20 - 10))::numeric, 2) END,
           day,
           CASE WHEN copy = 2 AND random() < 0.5 THEN entered + interval '1 hour' ELSE entered END,
           '', '', %(source)s
    FROM (
        SELECT m.institution_id, t.target_id, t.field, m.day, m.progress,
               m.day + time '08:00' + (floor(random() * 601)::int * interval '1 minute')
                   AS entered,
               generate_series(1, CASE WHEN random() < 0.01 THEN 2 ELSE 1 END) AS copy
        FROM (
            SELECT i.id AS institution_id, i.active_from, i.active_to,
                   LEAST(1.0, p.pace * (step + 1) / %(months)s) AS progress,
                   (month_start + floor(random() * CASE WHEN month_start
                        = date_trunc('month', %(today)s::date) THEN %(today_day)s ELSE 28 END
                    )::int) AS day
            FROM {institution} i
            JOIN (SELECT id, 0.2 + 0.8 * random() AS pace FROM {institution}
                  WHERE id = ANY(%(ids)s)) p ON p.id = i.id
            CROSS JOIN LATERAL (
                SELECT step, (date_trunc('month', %(today)s::date)
                              - (%(months)s - 1 - step) * interval '1 month')::date AS month_start
                FROM generate_series(0, %(months)s - 1) step
            ) steps
        ) m
        CROSS JOIN unnest(%(target_ids)s::bigint[], %(fields)s::text[]) AS t(target_id, field)
        WHERE random() >= 0.05
          AND m.active_from <= m.day AND (m.active_to IS NULL OR m.day <= m.active_to)
    ) rows
"""


def _generate_answers_in_database(
    institutions: Sequence[Institution],
    targets: Sequence[tuple[int, str]],
    months: int,
    today: datetime.date,
    seed: int,
    progress=None,
    chunk: int = 1000,
) -> int:
    """Answers for these institutions, made in the database in chunks of institutions. The
    answer table's indexes are dropped during the load and built again after it (much faster
    than maintaining them row by row), and the foreign-key triggers are off (the ids come from
    the tables themselves)."""
    answering = [i.pk for n, i in enumerate(institutions) if n % 25 != 24]
    sql = _GENERATE_SQL.format(answer=Answer._meta.db_table, institution=Institution._meta.db_table)
    params = {
        "statuses": STATUSES,
        "n_statuses": len(STATUSES),
        "source": Answer.Source.IMPORT,
        "months": months,
        "today": today,
        "today_day": today.day,
        "target_ids": [pk for pk, _field in targets],
        "fields": [field_name for _pk, field_name in targets],
    }
    count = 0
    with _answer_indexes_dropped(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        for start in range(0, len(answering), chunk):
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(sql, {**params, "ids": answering[start : start + chunk]})
                count += cursor.rowcount
            if progress:
                progress(f"  {min(start + chunk, len(answering))} institutions, {count:,} answers")
    return count


@contextlib.contextmanager
def _answer_indexes_dropped():
    """Drop the answer table's secondary indexes, and create them again afterwards (PostgreSQL:
    their definitions come from pg_indexes, so this follows whatever the migrations made)."""
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


def _insert_answers(rows: Iterator[tuple], batch_size: int = 5000) -> int:
    count, batch = 0, []

    def flush():
        Answer.objects.bulk_create(batch, batch_size=batch_size)
        connection.queries_log.clear()  # with DEBUG on, the log would hold every batch's SQL
        batch.clear()

    for institution_id, target_id, status, score, percentage, day, entered in rows:
        batch.append(
            Answer(
                institution_id=institution_id,
                target_id=target_id,
                status=status,
                score=score,
                percentage=percentage,
                applies_on=day,
                entered_at=entered,
                source=Answer.Source.IMPORT,
            )
        )
        count += 1
        if len(batch) == batch_size:
            flush()
    flush()
    return count


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have after a bulk load."""
    if connection.vendor != "postgresql":
        return
    tables = f"{Answer._meta.db_table}, {Institution._meta.db_table}"
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (tests); it also sets the visibility map.
        cursor.execute(("ANALYZE " if connection.in_atomic_block else "VACUUM ANALYZE ") + tables)


def delete_generated() -> int:
    """Remove the generated institutions and everything that hangs off them."""
    institutions = generated_institutions()
    ids = list(institutions.values_list("pk", flat=True))
    if not ids:
        return 0
    AnswerReview.objects.filter(answer__institution__in=ids).delete()
    AnswerSlot.objects.filter(institution__in=ids).delete()
    Membership.objects.filter(institution__in=ids).delete()
    Institution.history.filter(id__in=ids).delete()  # the rows create_institutions wrote
    # Plain DELETEs: the ORM would load a million answers to cascade, and write a history
    # row per institution on the way out.
    with connection.cursor() as cursor:
        for table, column in ((Answer._meta.db_table, "institution_id"),
                              (Institution._meta.db_table, "id")):  # fmt: skip
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM "  # noqa: S608
                f"{Institution._meta.db_table} "
                "WHERE code LIKE %s AND name LIKE %s AND region = %s)",
                [CODE_PREFIX + "%", NAME_PREFIX + "%", REGION],
            )
    return len(ids)


@dataclass
class SavedState:
    """The snapshots and the last recompute run from before the benchmark, to put back."""

    snapshots: list[dict]
    last_run_id: int


def save_state() -> SavedState:
    return SavedState(
        list(Snapshot.objects.values()),
        RecomputeRun.objects.aggregate(m=Max("id"))["m"] or 0,
    )


def restore_state(state: SavedState) -> None:
    Snapshot.objects.all().delete()
    Snapshot.objects.bulk_create([Snapshot(**row) for row in state.snapshots], batch_size=2000)
    RecomputeRun.objects.filter(id__gt=state.last_run_id).delete()


def today() -> datetime.date:
    return timezone.localdate()
