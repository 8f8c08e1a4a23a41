"""The processing log outward at size (issue 22): `GET verwerkte-objecten` for one BSN over a
year, with 10,000,000 audit events in the log, on PostgreSQL, read by the municipality's
privacy tooling with its JWT through the real views and HTTP stack.

Run: .venv/bin/python bench/verwerkingen.py [--events 10000000] [--persons 100000]
                                            [--runs 60] [--keep] [--reuse]

Builds `noaber_bench_verwerkingen` with the shared builder (`Builder.audit_events`: events of
form 3 with their HMACs and seals, COPY): the events over the last year, round robin over four
municipalities, each about one of --persons people (by BSN pseudonym, as the register's events
carry them); the person asked has one event in every 100,000 (100 a year at 10 M), all in
Dinkelland. Then prints p50/p95 of the question against the limit of issue 22: p95 <= 300 ms,
and the plan of its query. Record in docs/performance.md.
"""

import argparse
import os
import random
import time
from datetime import timedelta

from builder import Builder
from common import configure, drop, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_bench_verwerkingen")
MUNICIPALITIES = ["GM1774", "GM0183", "GM0168", "GM0173"]
LIMIT_MS = 300
BSN = "111222333"
EVERY = 100_000  # the person asked: one event in this many


def bsn_numbers(n: int, seed: int) -> list[str]:
    """`n` distinct BSNs that pass the elfproef (not the one asked)."""
    r, found = random.Random(seed), set()
    while len(found) < n:
        digits = [r.randrange(10) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if total < 10:
            number = "".join(map(str, digits)) + str(total)
            if number != BSN and number.strip("0"):
                found.add(number)
    return sorted(found)


def build(n_events: int, n_persons: int) -> None:
    from noaber.audit.actions import data_subject_pseudonym
    from noaber.audit.models import AuditEvent

    if AuditEvent.objects.filter(object_type="subject").count() >= n_events:
        print(f"present: {AuditEvent.objects.count()} events")
        return
    start = time.perf_counter()
    people = [data_subject_pseudonym("bsn", b) for b in bsn_numbers(n_persons, 1774)]
    asked = data_subject_pseudonym("bsn", BSN)
    print(f"{n_persons} pseudonyms in {time.perf_counter() - start:.1f} s")
    r = random.Random(30)

    def subject_of(k):
        # k % 4 == 0 is Dinkelland (round robin over MUNICIPALITIES).
        if k % EVERY == 0:
            return ("subject", "1", asked, "bsn")
        person = r.randrange(n_persons)
        return ("subject", str(person + 2), people[person], "bsn")

    b = Builder(seed=1774)
    b.audit_events(n_events, MUNICIPALITIES, subject_of=subject_of)
    b.analyze()


def tool(municipality):
    from joserfc import jwt
    from joserfc.jwk import OctKey

    from noaber.accounts import actions as account_actions
    from noaber.accounts.models import Role, User
    from noaber.zgw.actions import save_catalogue
    from noaber.zgw.clients import create_client
    from noaber.zgw.models import ApiClient
    from noaber.zgw.processing import set_processing_log

    save_catalogue(municipality, {"rsin": "001234560", "domain": "IVP", "contact_name": "Bench"})
    client = ApiClient.objects.filter(client_id="bench-privacytool").first()
    if client is None:
        client, _secret = create_client(
            municipality, "Privacytool", "bench-privacytool", scopes=["verwerkingen.lezen"]
        )
    officer = User.objects.filter(username="bench.privacy").first()
    if officer is None:
        officer = account_actions.create_user("bench.privacy", password="Bench-wachtwoord-2026!")
        account_actions.grant_role(officer, municipality, Role.PRIVACY)
    set_processing_log(municipality, enabled=True, client_ids=[client.client_id], actor=officer)

    def token():
        claims = {"client_id": client.client_id, "iss": client.client_id, "iat": int(time.time())}
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(client.secret))

    return token


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Use what a --keep run built.")
    args = parser.parse_args()

    configure(DB, fresh=not args.reuse)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from noaber.accounts.models import Municipality
    from noaber.audit.models import AuditEvent

    build(args.events, args.persons)
    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    token = tool(dinkelland)
    http = Client()
    today = timezone.localdate()
    query = {
        "objecttype": "persoon",
        "soortObjectId": "BSN",
        "objectId": BSN,
        "beginDatum": (today - timedelta(days=365)).isoformat(),
        "eindDatum": (today + timedelta(days=1)).isoformat(),
    }
    url = "/api/zgw/verwerkingen/v1/verwerkte-objecten"

    def ask():
        response = http.get(url, query, HTTP_AUTHORIZATION=f"Bearer {token()}")
        assert response.status_code == 200, response.content[:300]
        return response

    first = ask().json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('audit_auditevent'))")
        size = cursor.fetchone()[0]
    print(f"{AuditEvent.objects.count():,} events ({size} with indexes); the person asked: "
          f"{first['count']} in the year, first page {len(first['results'])}")  # fmt: skip
    measure("GET verwerkte-objecten (one BSN, a year)", ask, args.runs, target_ms=LIMIT_MS)
    from noaber.zgw.processing import Question, events_about

    question = Question("bsn", BSN, today - timedelta(days=365), today + timedelta(days=1), None)
    start = time.perf_counter()
    events_about(dinkelland, question)
    print(f"the query alone (events_about): {(time.perf_counter() - start) * 1000:.1f} ms")
    with connection.cursor() as cursor:
        events = AuditEvent.objects.filter(
            data_subject=question.pseudonym, data_subject_type="bsn", municipality="GM1774"
        )
        sql, params = events.order_by("created_at", "id").query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("\n".join(row[0] for row in cursor.fetchall()))
    from noaber.audit.chains import drain

    drain(60)  # the questions' events sealed before the database goes
    if not args.keep:
        connection.close()
        drop(DB)


if __name__ == "__main__":
    main()
