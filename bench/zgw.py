"""The ZGW Zaken API at size: 100,000 cases (with 1,000,000 timeline entries and 100,000
persons linked to them) on PostgreSQL, read by a zaaksysteem with its JWT.

Run: .venv/bin/python bench/zgw.py [--cases 100000] [--runs 40]

Builds the data once in `noaber_zgw_bench` (the shared builder), serves every case type to a
client allowed up to `geheim`, then prints p50/p95 through the real views and HTTP stack of
  - GET zaken (a page of 100; the first page and random pages),
  - a zaak with its statussen and rollen (three requests, as a zaaksysteem reads a case),
against the limit of issue 22: p95 <= 150 ms. Record in docs/performance.md.
"""

import argparse
import os
import random
import time

from builder import Builder
from common import configure, measure

DB = os.environ.get("NOABER_BENCH_DB", "noaber_zgw_bench")
LIMIT_MS = 150


def build(n_cases: int, owner):
    from noaber.cases.models import Case, TimelineEntry

    if Case.objects.count() >= n_cases:
        print(f"present: {Case.objects.count()} cases, {TimelineEntry.objects.count()} entries")
        return
    b = Builder(seed=1774)
    case_ids = b.cases(n_cases, owner=owner)
    b.timeline(10 * n_cases, case_ids)
    b.signals(n_cases // 2)
    b.subjects(n_cases, links=(1, 1))
    b.case_subjects(case_ids, (0, 3))
    # Vacuumed, as autovacuum keeps a live database: index-only scans need the visibility map.
    b.analyze(vacuum=True)


def client_and_token(municipality):
    from joserfc import jwt
    from joserfc.jwk import OctKey

    from noaber.cases.models import CaseType
    from noaber.zgw.actions import save_catalogue, serve_case_types
    from noaber.zgw.clients import create_client
    from noaber.zgw.models import ApiClient

    catalogue = save_catalogue(
        municipality, {"rsin": "001234560", "domain": "IVP", "contact_name": "Bench"}
    )
    serve_case_types(catalogue, list(CaseType.objects.all()))
    client = ApiClient.objects.filter(client_id="bench-zaaksysteem").first()
    if client is None:
        client, _secret = create_client(
            municipality, "Bench", "bench-zaaksysteem", scopes=["zaken.lezen"],
            max_confidentiality="geheim", legal_basis="Archiefwet 1995",
        )  # fmt: skip

    def token():
        claims = {"client_id": client.client_id, "iss": client.client_id, "iat": int(time.time())}
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(client.secret))

    return token


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()
    # The bench measures the API, not the per-client rate (which would stop it after 300).
    os.environ["NOABER_ZGW_REQUESTS_PER_MINUTE"] = "1000000"
    configure(DB)
    from django.test import Client

    from noaber.accounts.actions import create_user
    from noaber.accounts.models import Municipality, User
    from noaber.cases.models import Case

    dinkelland = Municipality.objects.get(cbs_code="GM1774")
    owner = User.objects.filter(username="bench.regisseur").first() or create_user(
        "bench.regisseur", password="Bench-wachtwoord-2026!"
    )
    build(options.cases, owner)
    token = client_and_token(dinkelland)
    http = Client()
    base = "/api/zgw/zaken/v1"
    mine = Case.objects.filter(municipality=dinkelland).count()
    print(f"{Case.objects.count():,} cases, {mine:,} of them Dinkelland's (served)")

    def get(path, query=None):
        response = http.get(
            path, query or {}, HTTP_AUTHORIZATION=f"Bearer {token()}",
            HTTP_ACCEPT_CRS="EPSG:4326", secure=True,
        )  # fmt: skip
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response.json()

    # Each run starts with an empty ledger (bench data only), so a random page is mostly one
    # this client never received: the ledger lines are written in the measured requests.
    from noaber.zgw.models import ZaakDisclosure

    ZaakDisclosure.objects.all().delete()
    first = get(f"{base}/zaken")
    pages = -(-first["count"] // 100)
    print(f"GET zaken: {first['count']:,} zaken in {pages:,} pages of 100")
    rng = random.Random(7)
    urls = [z["url"] for z in first["results"]]
    for page in rng.sample(range(2, pages + 1), min(5, pages - 1)):
        urls += [z["url"] for z in get(f"{base}/zaken", {"page": page})["results"]]

    measure("GET zaken (page 1 of 100)", lambda: get(f"{base}/zaken"), options.runs, LIMIT_MS)
    measure(
        "GET zaken (a random page, new to the ledger)",
        lambda: get(f"{base}/zaken", {"page": rng.randint(1, pages)}),
        options.runs,
        LIMIT_MS,
    )

    def zaak_with_parts():
        url = rng.choice(urls)
        get(url.split("testserver", 1)[1])
        get(f"{base}/statussen", {"zaak": url})
        get(f"{base}/rollen", {"zaak": url})

    measure("zaak + statussen + rollen", zaak_with_parts, options.runs, LIMIT_MS)
    measure(
        "GET zaken/{uuid} alone",
        lambda: get(rng.choice(urls).split("testserver", 1)[1]),
        options.runs,
        LIMIT_MS,
    )


if __name__ == "__main__":
    main()
