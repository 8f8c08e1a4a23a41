"""The signal register at size: 1,000,000 signals and 300,000 subjects on PostgreSQL.

Run: .venv/bin/python bench/register.py [--signals 1000000] [--subjects 300000] [--runs 40]

Builds the register once in the database `noaber_register_bench` (reused on later runs), then
prints p50/p95 of: the triage inbox page, a filtered inbox, a fuzzy subject match (hit /
no-hit), a subject timeline page, and the duration of a retention run. Record the figures in
docs/performance.md. Target: every interactive query under 200 ms p95; retention in minutes.
"""

import argparse
import os
import random
import time
from datetime import timedelta

from common import advisor_client, configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_register_bench")

FIRST = ["Jan", "Piet", "Anna", "Fatima", "Mohammed", "Sanne", "Bram", "Eva", "Ali", "Lotte",
         "Henk", "Ingrid", "Youssef", "Daan", "Noor", "Gerrit", "Mila", "Tim", "Sara", "Kees"]  # fmt: skip
LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos",
        "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Kok", "Huisman", "Nijhuis", "Oude Egberink",
        "Lohuis", "Ter Horst", "Kampman", "Wessels", "Olde Rikkert", "Haarman", "Schuurman"]  # fmt: skip


def build(n_signals: int, n_subjects: int):
    from django.utils import timezone

    from noaber.accounts.models import Municipality
    from noaber.intake.models import Area
    from noaber.registry.models import Outcome, Phase, Signal, SignalSubject, Subject, SubjectKey
    from noaber.registry.subjects import keys_for
    from noaber.themes.models import Theme

    have = Signal.objects.count()
    if have >= n_signals:
        print(f"register present: {have} signals, {Subject.objects.count()} subjects")
        return
    rng = random.Random(1774)
    municipalities = list(Municipality.objects.all())
    themes = list(Theme.objects.filter(municipality__isnull=True))
    areas = {m.pk: list(Area.objects.filter(municipality=m)) for m in municipalities}
    outcomes = [Outcome.NONE, Outcome.INTERNAL, Outcome.EXTERNAL, Outcome.FURTHER]
    today = timezone.localdate()
    start = time.perf_counter()
    batch = []
    for i in range(have, n_signals):
        m = rng.choice(municipalities)
        received = today - timedelta(days=rng.randint(0, 8 * 365))
        closed = rng.random() < 0.9
        outcome = rng.choice(outcomes) if closed else ""
        batch.append(
            Signal(
                municipality=m,
                received_on=received,
                source_type=rng.choice(["resident", "anonymous", "employee", "partner", "mma"]),
                theme=rng.choice(themes),
                area=rng.choice(areas[m.pk]),
                description=f"Signaal {i}: activiteit bij pand, zie melding.",
                phase=Phase.CLOSED
                if closed
                else rng.choice([Phase.INTAKE, Phase.WEGING, Phase.SOURCES]),
                outcome=outcome,
                closed_at=timezone.make_aware(
                    timezone.datetime.combine(
                        received + timedelta(days=30), timezone.datetime.min.time()
                    )
                )
                if closed
                else None,
            )
        )
        if len(batch) == 5000:
            Signal.objects.bulk_create(batch)
            batch = []
            print(f"  signals {i + 1:>9,}  {time.perf_counter() - start:6.0f} s", end="\r")
    Signal.objects.bulk_create(batch)
    print(f"\n  signals built in {time.perf_counter() - start:.0f} s")
    signal_ids = {
        m.pk: list(Signal.objects.filter(municipality=m).values_list("pk", flat=True))
        for m in municipalities
    }
    start = time.perf_counter()
    for offset in range(0, n_subjects, 5000):
        subjects, payloads = [], []
        for _ in range(min(5000, n_subjects - offset)):
            m = rng.choice(municipalities)
            label = f"{rng.choice(FIRST)} {rng.choice(LAST)}{rng.choice(['', '', 's', 'e'])}"
            data = {
                "label": label,
                "birth_date": f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }
            subjects.append(Subject(municipality=m, kind="person", **data))
            payloads.append(data)
        Subject.objects.bulk_create(subjects)
        keys, links = [], []
        for subject, data in zip(subjects, payloads, strict=True):
            for kind, digest in keys_for("person", data):
                keys.append(
                    SubjectKey(
                        subject=subject,
                        municipality_id_copy=subject.municipality_id,
                        kind=kind,
                        digest=digest,
                    )
                )
            for signal_id in rng.sample(signal_ids[subject.municipality_id], rng.randint(1, 4)):
                links.append(SignalSubject(signal_id=signal_id, subject=subject))
        SubjectKey.objects.bulk_create(keys)
        SignalSubject.objects.bulk_create(links, ignore_conflicts=True)
        print(
            f"  subjects {offset + len(subjects):>8,}  {time.perf_counter() - start:6.0f} s",
            end="\r",
        )
    print(f"\n  subjects built in {time.perf_counter() - start:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()
    configure(DB)
    build(options.signals, options.subjects)

    from noaber.accounts.models import Municipality
    from noaber.registry import actions
    from noaber.registry.models import Subject

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    client, user = advisor_client(dinkelland)
    base = "/m/GM1774/register/"
    rng = random.Random(7)

    def get(path, **params):
        response = client.get(path, params, secure=True)
        assert response.status_code == 200, response.status_code

    measure("inbox (open signals)", lambda: get(base), options.runs)
    measure(
        "inbox filtered (theme, age, sort)",
        lambda: get(base, thema="5.2", ouder_dan="90", sorteer="oud"),
        options.runs,
    )
    measure(
        "fuzzy subject match (hit/no-hit)",
        lambda: actions.find_matches(
            dinkelland,
            "person",
            {"label": f"{rng.choice(FIRST)} {rng.choice(LAST)}"},
            actor=user,
            request=None,
        ),
        options.runs,
    )
    subject_ids = list(
        Subject.objects.filter(municipality=dinkelland).values_list("pk", flat=True)[:500]
    )

    def timeline():
        response = client.post(
            f"{base}betrokkenen/{rng.choice(subject_ids)}/", {"reason": "bench"}, secure=True
        )
        assert response.status_code == 200, response.status_code

    measure("subject timeline", timeline, options.runs)
    start = time.perf_counter()
    report = actions.apply_retention(dry_run=True)
    print(
        f"retention dry run                  {time.perf_counter() - start:7.1f} s   ({len(report.due):,} due)"
    )
    start = time.perf_counter()
    report = actions.apply_retention()
    print(
        f"retention run                      {time.perf_counter() - start:7.1f} s   ({report.done:,} destroyed or anonymised)"
    )


if __name__ == "__main__":
    main()
