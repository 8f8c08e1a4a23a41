"""Importing indicator values: CBS 83648NED (OData JSON or CSV), police 47022NED (OData JSON)
and local figures (Noaber's CSV template).

Each reader parses and validates every row without writing anything and returns the rows with
the batch info; `store` writes them in one transaction. Any bad row raises
IndicatorImportError with all row errors, and nothing is stored.

    parsed, batch = read("cbs", Path("downloads/83648NED"))
    result = store(parsed, batch, origin="cli")
"""

from pathlib import Path

from django.utils.translation import gettext as _

from .base import BatchInfo, IndicatorImportError, ParsedImport, Progress, Row, format_error
from .cbs_csv import read_cbs_csv
from .local import read_local
from .odata import monthly_total, read_cbs, read_police
from .store import ImportResult, store

KINDS = ("cbs", "cbs-csv", "police", "local")


def read(
    kind: str,
    path: Path | None = None,
    *,
    url: str | None = None,
    skip_unknown_regions: bool = False,
    progress: Progress | None = None,
) -> tuple[ParsedImport, BatchInfo]:
    options = {"skip_unknown_regions": skip_unknown_regions, "progress": progress}
    if kind == "cbs":
        return read_cbs(path, url=url, **options)
    if kind == "police":
        return read_police(path, url=url, **options)
    if url:
        raise IndicatorImportError([(None, _("Een URL als bron kan alleen bij cbs en police."))])
    if kind == "cbs-csv":
        return read_cbs_csv(path, **options)
    if kind == "local":
        return read_local(path, **options)
    raise ValueError(f"Unknown import kind {kind!r}")


__all__ = [
    "KINDS",
    "BatchInfo",
    "ImportResult",
    "IndicatorImportError",
    "ParsedImport",
    "Row",
    "format_error",
    "monthly_total",
    "read",
    "read_cbs",
    "read_cbs_csv",
    "read_local",
    "read_police",
    "store",
]
