"""One shared, seeded bench-data builder: signals with their reports and subjects, cases with
their signals, timeline entries and interventions, loaded with PostgreSQL COPY.

Every bench builds its database volume here, so the data look alike across benches and a run
can be repeated: the same seed gives the same rows (ids aside, when a database already holds
rows). Values of encrypted fields are encrypted exactly as the app stores them: through the
field's own `get_prep_value` (`noaber.lib.crypto.encrypt(plain, "<app>.<model>.<field>")`),
for every field `noaber.lib.crypto.encrypted_fields()` finds — so a column encrypted later is
encrypted here too, without a change to this file.

    from builder import Builder
    b = Builder(seed=1774)
    signal_ids = b.signals(1_000_000, reports=True)   # and their reports, linked
    b.subjects(300_000, links=(1, 4))                  # persons with blind-index keys
    case_ids = b.cases(100_000, owner=user)
    b.timeline(1_000_000, case_ids)
    b.analyze()

No audit events are written for these rows: the audit table is append-only (triggers) and
chained, and no bench needs history of its bench data. `audit_events` writes events of their
own (bench/audit.py), with their HMACs and seals exactly as the app's sealer makes them. Rows are written straight with COPY, so no action,
no signal handler and no `save()` runs (`TimelineEntry.save` refuses updates, not inserts).

Hook for file benches (10 MB attachment, restore check at size): `attachment_files` writes
attachments through the model's own FileField, i.e. through the Django storage the app uses.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from django.db import connection, models, transaction
from django.utils import timezone

# Words for free texts: enough variety for realistic ciphertext lengths (60-300 characters).
PLACES = ["schuur", "loods", "bedrijfspand", "woning", "garagebox", "kapsalon", "nagelsalon",
          "autobedrijf", "boerderij", "opslagunit", "shishalounge", "camping"]  # fmt: skip
STREETS = ["Hoofdstraat", "Kerkstraat", "Molenweg", "Dorpsstraat", "Oldenzaalsestraat",
           "Denekamperstraat", "Ootmarsumseweg", "Bentheimerstraat", "Esweg", "Veldweg"]  # fmt: skip
SIGHTINGS = ["'s nachts veel verkeer", "ramen afgeplakt", "sterke chemische lucht",
             "steeds wisselende huurders", "contante betalingen", "busjes met buitenlands kenteken",
             "geluid van machines", "bezoekers die kort blijven", "afval in vaten gedumpt",
             "hoge stroomrekening volgens buren"]  # fmt: skip
FIRST = ["Jan", "Piet", "Anna", "Fatima", "Mohammed", "Sanne", "Bram", "Eva", "Ali", "Lotte",
         "Henk", "Ingrid", "Youssef", "Daan", "Noor", "Gerrit", "Mila", "Tim", "Sara", "Kees"]  # fmt: skip
LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos",
        "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Kok", "Huisman", "Nijhuis", "Oude Egberink",
        "Lohuis", "Ter Horst", "Kampman", "Wessels", "Olde Rikkert", "Haarman", "Schuurman"]  # fmt: skip
TIMELINE_KINDS = ["status", "note", "task", "intervention", "meeting"]


def _encrypted():
    from noaber.lib.crypto import encrypted_fields

    return {model: set(names) for model, names in encrypted_fields().items()}


def reserve_ids(model, n: int) -> int:
    """The first of `n` consecutive primary keys taken from the table's own sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        if n > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return first


def copy_rows(model, names: list[str], rows, n: int) -> range:
    """COPY `n` rows of `model` into its table and return their primary keys.

    `names` are field names (or attnames: `municipality_id`) in the order of each row's
    values. Encrypted fields are encrypted as the app would; every other concrete field not
    named gets its default (now for auto_now(_add), the field default, NULL or '')."""
    from psycopg.types.json import Jsonb

    meta = model._meta
    by_name = {f.name: f for f in meta.concrete_fields} | {
        f.attname: f for f in meta.concrete_fields
    }
    given = [by_name[name] for name in names]
    encrypted = _encrypted().get(model, set())
    now = timezone.now()
    fixed = []
    for field in meta.concrete_fields:
        if field in given or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.blank and isinstance(field, (models.CharField, models.TextField)):
            value = ""
        else:
            raise ValueError(f"{meta.label}.{field.name}: no value and no default")
        if field.name in encrypted and value:
            raise ValueError(f"{meta.label}.{field.name}: an encrypted default is not supported")
        if isinstance(field, models.JSONField):
            value = Jsonb(value)
        fixed.append((field, value))
    prep = [
        field.get_prep_value if field.name in encrypted else None for field in given
    ]  # encrypt(value, "<app>.<model>.<field>") for encrypted fields, as the app stores them
    json_at = [i for i, field in enumerate(given) if isinstance(field, models.JSONField)]
    columns = [meta.pk.column] + [f.column for f in given] + [f.column for f, _v in fixed]
    tail = tuple(value for _f, value in fixed)
    first = reserve_ids(model, n)
    quote = connection.ops.quote_name
    sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    pk = first
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = list(row)
                for i, encrypt in enumerate(prep):
                    if encrypt is not None and values[i]:
                        values[i] = encrypt(values[i])
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row((pk, *values, *tail))
                pk += 1
    if pk - first != n:
        raise ValueError(f"{meta.label}: {pk - first} rows written, {n} expected")
    return range(first, pk)


class Builder:
    """Seeded bench data. Each method writes with COPY and returns the new primary keys."""

    def __init__(self, seed: int = 1774, verbose: bool = True):
        from noaber.accounts.models import Municipality

        self.rng = random.Random(seed)
        self.verbose = verbose
        self.municipalities = list(Municipality.objects.order_by("cbs_code"))

    def say(self, what: str, n: int, start: float) -> None:
        if self.verbose:
            seconds = time.perf_counter() - start
            print(f"  {n:>10,} {what:<28} {seconds:6.1f} s  ({n / max(seconds, 1e-9):,.0f}/s)")

    def _pick(self, municipality, municipalities=None):
        return municipality or self.rng.choice(municipalities or self.municipalities)

    # -- texts ------------------------------------------------------------------------------

    def text(self, i: int) -> str:
        r = self.rng
        return (
            f"Melding {i}: bij de {r.choice(PLACES)} aan de {r.choice(STREETS)} "
            f"{r.randint(1, 180)} {r.choice(SIGHTINGS)} en {r.choice(SIGHTINGS)}; "
            f"gezien op {r.randint(1, 28)}-{r.randint(1, 12)} rond {r.randint(0, 23)}:"
            f"{r.choice(['00', '15', '30', '45'])}."
        )

    def name(self) -> str:
        r = self.rng
        return f"{r.choice(FIRST)} {r.choice(LAST)}{r.choice(['', '', 's', 'e'])}"

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def moment(self, on: date) -> datetime:
        minutes = self.rng.randrange(7 * 60, 17 * 60)  # office hours, UTC
        return datetime.combine(on, dtime(minutes // 60, minutes % 60), tzinfo=UTC)

    # -- register ---------------------------------------------------------------------------

    def signals(
        self,
        n: int,
        *,
        municipality=None,
        received: tuple[date, date] | None = None,
        closed: float = 0.9,
        source_types=("resident", "anonymous", "employee", "partner", "mma"),
        reports: bool = False,
    ) -> range:
        """`n` signals over all municipalities (or one), received on a random day in
        `received` (default: the last eight years), a share `closed` closed 30 days later with
        a random outcome; with `reports`, each with one report of its own, linked."""
        from noaber.intake.models import Area
        from noaber.registry.models import Outcome, Phase, Signal
        from noaber.themes.models import Theme

        r = self.rng
        today = timezone.localdate()
        first_day, last_day = received or (today - timedelta(days=8 * 365), today)
        themes = list(Theme.objects.filter(municipality__isnull=True).order_by("pk"))
        areas = {
            m.pk: list(Area.objects.filter(municipality=m).order_by("pk"))
            for m in self.municipalities
        }
        outcomes = [Outcome.NONE, Outcome.INTERNAL, Outcome.EXTERNAL, Outcome.FURTHER]
        open_phases = [Phase.INTAKE, Phase.WEGING, Phase.SOURCES]
        self._signal_rows = []

        def rows():
            for i in range(n):
                m = self._pick(municipality)
                on = self.day(first_day, last_day)
                is_closed = r.random() < closed
                area = r.choice(areas[m.pk]) if areas[m.pk] else None
                theme = r.choice(themes)
                source = r.choice(source_types)
                if reports:
                    self._signal_rows.append((m.pk, on, source, theme.pk, area and area.pk))
                yield (
                    m.pk,
                    on,
                    source,
                    theme.pk,
                    area and area.pk,
                    f"{r.choice(STREETS)} {r.randint(1, 180)}" if r.random() < 0.5 else "",
                    self.text(i),
                    Phase.CLOSED if is_closed else r.choice(open_phases),
                    r.choice(outcomes) if is_closed else "",
                    self.moment(on + timedelta(days=30)) if is_closed else None,
                    self.moment(on),
                )

        start = time.perf_counter()
        names = ["municipality_id", "received_on", "source_type", "theme_id", "area_id",
                 "location", "description", "phase", "outcome", "closed_at", "created_at"]  # fmt: skip
        ids = copy_rows(Signal, names, rows(), n)
        self.say("signals", n, start)
        if reports:
            self.reports_for(ids)
        return ids

    def reports_for(self, signal_ids: range) -> range:
        """One report per signal just built (same municipality, day, theme), linked to it."""
        from noaber.intake.models import Category, Report
        from noaber.registry.models import Signal

        r = self.rng
        categories = {}
        for category in Category.objects.order_by("pk"):
            categories.setdefault(category.theme_id, []).append(category.pk)
        every = [pk for pks in categories.values() for pk in pks]
        source_of = {"mma": "mma", "employee": "employee", "partner": "partner"}
        made = self._signal_rows
        self._signal_rows = []

        def rows():
            for i, (m, on, source, theme, area) in enumerate(made):
                contact = source == "resident" and r.random() < 0.5
                yield (
                    m,
                    r.choice(categories.get(theme) or every),
                    source_of.get(source, "resident" if source == "resident" else "anonymous"),
                    "web",
                    self.text(i),
                    on,
                    area,
                    self.name() if contact else "",
                    f"melder{i}@example.nl" if contact else "",
                    f"06{r.randrange(10**8):08d}" if contact and r.random() < 0.5 else "",
                    contact,
                    "closed",
                    self.moment(on),
                )

        start = time.perf_counter()
        names = ["municipality_id", "category_id", "source", "channel", "description",
                 "occurred_on", "area_id", "contact_name", "contact_email", "contact_phone",
                 "contact_consent", "status", "created_at"]  # fmt: skip
        ids = copy_rows(Report, names, rows(), len(made))
        self.say("reports", len(made), start)
        start = time.perf_counter()
        link = Signal.reports.through
        copy_rows(link, ["signal_id", "report_id"], zip(signal_ids, ids, strict=True), len(ids))
        self.say("signal-report links", len(ids), start)
        return ids

    def subjects(self, n: int, *, links: tuple[int, int] = (1, 4)) -> range:
        """`n` persons over the municipalities (name and birth date encrypted, blind-index keys
        as the app computes them), each linked to `links` random signals of its municipality."""
        from noaber.registry.models import Signal, SignalSubject, Subject, SubjectKey
        from noaber.registry.subjects import keys_for

        r = self.rng
        signal_ids = {
            m.pk: list(Signal.objects.filter(municipality=m).values_list("pk", flat=True))
            for m in self.municipalities
        }
        people = []

        def rows():
            for _ in range(n):
                m = r.choice(self.municipalities)
                data = {
                    "label": self.name(),
                    "birth_date": f"19{r.randint(40, 99)}-0{r.randint(1, 9)}-1{r.randint(0, 9)}",
                }
                people.append((m.pk, data))
                yield m.pk, "person", data["label"], data["birth_date"]

        start = time.perf_counter()
        ids = copy_rows(Subject, ["municipality_id", "kind", "label", "birth_date"], rows(), n)
        self.say("subjects", n, start)
        start = time.perf_counter()
        keys, pairs = [], []
        for subject_id, (m, data) in zip(ids, people, strict=True):
            for kind, digest in keys_for("person", data):
                keys.append((subject_id, m, kind, digest))
            pool = signal_ids[m]
            for signal_id in r.sample(pool, min(len(pool), r.randint(*links))):
                pairs.append((signal_id, subject_id))
        names = ["subject_id", "municipality_id_copy", "kind", "digest"]
        copy_rows(SubjectKey, names, keys, len(keys))
        copy_rows(SignalSubject, ["signal_id", "subject_id"], pairs, len(pairs))
        self.say(f"links (+{len(keys):,} subject keys)", len(pairs), start)
        return ids

    # -- casusregie -------------------------------------------------------------------------

    def cases(
        self,
        n: int,
        *,
        owner,
        municipality=None,
        created: tuple[date, date] | None = None,
        statuses=None,
        closed_within_days: int = 90,
    ) -> range:
        """`n` cases of random type; status random from `statuses` (default: the type's own
        statuses); opened on a random day in `created` (default: now); closed cases (status
        "closed") closed up to `closed_within_days` later, with a closing text."""
        from noaber.cases.models import CLOSED, Case, CaseType

        r = self.rng
        types = list(CaseType.objects.order_by("pk"))

        def rows():
            now = timezone.now()
            for i in range(n):
                m = self._pick(municipality)
                kind = r.choice(types)
                status = r.choice(statuses or [code for code, _label in kind.statuses])
                opened = self.moment(self.day(*created)) if created else now
                is_closed = status == CLOSED
                yield (
                    m.pk,
                    kind.pk,
                    f"Casus {i} {r.choice(PLACES)} {r.choice(STREETS)} {r.randint(1, 180)}",
                    status,
                    owner.pk,
                    self.text(i) if is_closed else "",
                    opened + timedelta(minutes=r.randrange(closed_within_days * 24 * 60))
                    if is_closed
                    else None,
                    opened,
                )

        start = time.perf_counter()
        names = ["municipality_id", "case_type_id", "title", "status", "owner_id",
                 "closing_text", "closed_at", "created_at"]  # fmt: skip
        ids = copy_rows(Case, names, rows(), n)
        self.say("cases", n, start)
        return ids

    def case_signals(self, case_ids, signal_ids) -> None:
        """Link case i to signal i."""
        from noaber.cases.models import Case

        link = Case.signals.through
        pairs = list(zip(case_ids, signal_ids, strict=True))
        copy_rows(link, ["case_id", "signal_id"], pairs, len(pairs))

    def case_subjects(self, case_ids, per_case: tuple[int, int] = (0, 3)) -> int:
        """Link each case to `per_case` random subjects of its own municipality."""
        from noaber.cases.models import Case
        from noaber.registry.models import Subject

        r = self.rng
        pool: dict[int, list[int]] = {}
        for subject_id, m in Subject.objects.values_list("pk", "municipality_id"):
            pool.setdefault(m, []).append(subject_id)
        pairs = []
        cases = Case.objects.filter(pk__in=list(case_ids)).values_list("pk", "municipality_id")
        for case_id, m in cases.iterator(chunk_size=10_000):
            subjects = pool.get(m, [])
            for subject_id in r.sample(subjects, min(len(subjects), r.randint(*per_case))):
                pairs.append((case_id, subject_id))
        start = time.perf_counter()
        copy_rows(Case.subjects.through, ["case_id", "subject_id"], pairs, len(pairs))
        self.say("case subjects", len(pairs), start)
        return len(pairs)

    def timeline(self, n: int, case_ids) -> range:
        """`n` timeline entries spread at random over `case_ids`, encrypted text."""
        from noaber.cases.models import TimelineEntry

        r = self.rng
        case_ids = list(case_ids)

        def rows():
            now = timezone.now()
            for i in range(n):
                kind = r.choice(TIMELINE_KINDS)
                yield r.choice(case_ids), kind, f"{kind} {i}: " + self.text(i)[9:], now

        start = time.perf_counter()
        ids = copy_rows(TimelineEntry, ["case_id", "kind", "text", "created_at"], rows(), n)
        self.say("timeline entries", n, start)
        return ids

    def interventions(self, n: int, case_ids, *, decided: tuple[date, date]) -> range:
        from noaber.cases.models import Intervention, InterventionType

        r = self.rng
        kinds = list(InterventionType.objects.order_by("pk").values_list("pk", flat=True))
        case_ids = list(case_ids)
        rows = (
            (r.choice(case_ids), r.choice(kinds), self.day(*decided), "burgemeester")
            for _ in range(n)
        )
        start = time.perf_counter()
        ids = copy_rows(Intervention, ["case_id", "kind_id", "decided_on", "decided_by"], rows, n)
        self.say("interventions", n, start)
        return ids

    # -- files (hook) -----------------------------------------------------------------------

    def attachment_files(self, report_ids, *, size: int, content_type="application/pdf") -> list:
        """HOOK for the file benches (10 MB attachment encrypt/decrypt, restore check at size):
        one attachment of `size` seeded random bytes on each report in `report_ids`, written
        through `Attachment.file` — the Django storage the app itself uses, so when files are
        encrypted at rest these are too. Returns the Attachment rows. Not used by a bench yet."""
        import hashlib
        import tempfile

        from django.core.files import File

        from noaber.intake.models import Attachment

        made = []
        for report_id in report_ids:
            digest = hashlib.sha256()
            # Written to a temporary file in 1 MiB chunks, so the bench process never holds a
            # whole file: a memory figure taken around the save is the storage's own.
            with tempfile.TemporaryFile() as spool:
                for offset in range(0, size, 2**20):
                    chunk = self.rng.randbytes(min(2**20, size - offset))
                    digest.update(chunk)
                    spool.write(chunk)
                spool.seek(0)
                attachment = Attachment(
                    report_id=report_id,
                    content_type=content_type,
                    size=size,
                    sha256=digest.hexdigest(),
                )
                with transaction.atomic():
                    attachment.file.save(f"bench-{report_id}.pdf", File(spool), save=True)
            made.append(attachment)
        return made

    # -- audit log --------------------------------------------------------------------------

    def audit_events(self, n: int, codes: list[str], *, subject_of=None):
        """`n` page-view events of form 3, round robin over the chains `codes`, with their HMACs,
        chained onto each chain's newest seal in seals of `chains.BATCH` events. The queue
        trigger is off during the COPY (nothing waits: the seals are written here). Returns
        (events, seals, canonical_bytes): the bytes the HMACs covered.

        `subject_of(k)` may give the k-th event's (object type, object id, data subject's
        pseudonym, its kind); by default a signal viewed, about one of 1,000 subjects."""
        import hmac as hmac_module
        import json
        from types import SimpleNamespace

        from django.conf import settings
        from psycopg.types.json import Jsonb

        from noaber.audit.actions import data_subject_pseudonym
        from noaber.audit.chains import BATCH, heads, start_reference
        from noaber.audit.models import AuditEvent, AuditSeal, canonical

        start = time.perf_counter()
        key = settings.NOABER_AUDIT_KEY.encode()
        r = self.rng
        subjects = [data_subject_pseudonym("noaber-subject", i) for i in range(1, 1001)]
        newest = heads()
        tails = {c: (newest[c][0], newest[c][1], newest[c][2]) if c in newest
                 else (0, 0, start_reference()) for c in codes}  # fmt: skip
        batches = {c: [] for c in codes}
        seals, total_bytes = [], 0
        moment = timezone.now() - timedelta(days=365)
        step = timedelta(days=365) / max(n, 1)
        first = reserve_ids(AuditEvent, n)

        def close(code):
            number, last_seq, prev = tails[code]
            ids = [i for i, _ in batches[code]]
            link = AuditSeal(chain=code, number=number + 1, first_seq=last_seq + 1,
                             count=len(ids), event_ids=ids, prev_hash=prev)  # fmt: skip
            link.hash = link.compute_hash([m for _, m in batches[code]])
            seals.append((code, link.number, link.first_seq, link.count, json.dumps(ids),
                          moment, prev, link.hash))  # fmt: skip
            tails[code] = (link.number, link.last_seq, link.hash)
            batches[code] = []

        columns = ["id", "created_at", "actor_id", "actor", "role", "municipality", "action",
                   "object_type", "object_id", "result", "origin", "reason", "detail", "format",
                   "processing_activity", "confidentiality", "retention_months", "trace_id",
                   "span_id", "parent_span_id", "data_subject", "data_subject_type",
                   "prev_hash", "hash"]  # fmt: skip
        sql = f"COPY audit_auditevent ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_queue")
            with cursor.cursor.copy(sql) as copy:
                for k in range(n):
                    pk, code = first + k, codes[k % len(codes)]
                    if subject_of is None:
                        about = ("signal", str(r.randrange(1, 1_000_000)),
                                 subjects[k % len(subjects)], "noaber-subject")  # fmt: skip
                    else:
                        about = subject_of(k)
                    values = {
                        "format": 3, "seq": None, "created_at": moment + step * k,
                        "actor_id": 7, "actor": "bench.adviseur", "role": "advisor",
                        "municipality": code, "action": "view", "object_type": about[0],
                        "object_id": about[1], "result": "success",
                        "origin": "10.1.2.3", "reason": "", "detail": {"page": "detail"},
                        "prev_hash": "", "processing_activity": "signaalregister",
                        "confidentiality": "geheim", "retention_months": 84,
                        "trace_id": f"{r.getrandbits(128):032x}",
                        "span_id": f"{r.getrandbits(64):016x}",
                        "parent_span_id": f"{r.getrandbits(64):016x}",
                        "data_subject": about[2],
                        "data_subject_type": about[3],
                    }  # fmt: skip
                    body = canonical(values)
                    total_bytes += len(body)
                    mac = hmac_module.new(key, body, "sha256").hexdigest()
                    values["detail"] = Jsonb(values["detail"])
                    copy.write_row([pk] + [values[c] if c != "hash" else mac
                                           for c in columns[1:]])  # fmt: skip
                    batches[code].append((pk, mac))
                    if len(batches[code]) == BATCH:
                        close(code)
            for code in codes:
                if batches[code]:
                    close(code)
            self.say("audit events", n, start)
            with cursor.cursor.copy(
                "COPY audit_auditseal (chain, number, first_seq, count, event_ids, created_at, "
                "prev_hash, hash) FROM STDIN"
            ) as copy:
                for row in seals:
                    copy.write_row(row)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_queue")
        self.say("audit seals", len(seals), start)
        return SimpleNamespace(events=n, seals=len(seals), canonical_bytes=total_bytes)

    # -- after loading ----------------------------------------------------------------------

    def analyze(self, vacuum: bool = False) -> None:
        """Fresh planner statistics (VACUUM ANALYZE as autovacuum would keep them)."""
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        if self.verbose:
            print(
                f"  {'VACUUM ANALYZE' if vacuum else 'ANALYZE':<39} {time.perf_counter() - start:6.1f} s"
            )


# -- lists (bench/lists.py) -------------------------------------------------------------------


def inbox_reports(b: Builder, n: int, *, municipality, received: tuple[date, date] | None = None):
    """`n` reports of one municipality without signals (the advisors' inbox at volume), on a
    random moment in `received` (default: the last five years), status mostly closed."""
    from noaber.intake.models import Category, Report

    r = b.rng
    today = timezone.localdate()
    first_day, last_day = received or (today - timedelta(days=5 * 365), today)
    categories = list(Category.objects.order_by("pk").values_list("pk", flat=True))
    areas = list(municipality.areas.order_by("pk").values_list("pk", flat=True))
    sources = ["resident", "anonymous", "employee", "partner", "police"]

    def rows():
        for i in range(n):
            on = b.day(first_day, last_day)
            yield (
                municipality.pk,
                r.choice(categories),
                r.choice(sources),
                "web",
                b.text(i),
                on,
                r.choice(areas) if areas and r.random() < 0.8 else None,
                r.choices(["closed", "in_progress", "received"], [90, 5, 5])[0],
                b.moment(on),
            )

    start = time.perf_counter()
    names = ["municipality_id", "category_id", "source", "channel", "description",
             "occurred_on", "area_id", "status", "created_at"]  # fmt: skip
    ids = copy_rows(Report, names, rows(), n)
    b.say("inbox reports", n, start)
    return ids
