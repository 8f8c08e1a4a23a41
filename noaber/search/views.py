"""Zoeken: one box over the meldingen, signals and cases a user may open, by number, words,
address, category or theme; a subject term answers hit / no-hit only (docs/search.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from noaber.accounts.access import can, municipality_view
from noaber.audit.actions import record
from noaber.audit.models import Action, Result
from noaber.intake import throttle
from noaber.lib.paging import PageError, page_of
from noaber.registry import selectors as registry_selectors
from noaber.registry.actions import find_matches
from noaber.registry.subjects import clean_subject, keys_for

from . import index, query
from .models import Kind

PER_PAGE = 20
# Subject checks per user per hour: enough for a day's bronnenchecks, too few to walk a list
# of names or BSNs through the register.
SUBJECT_CHECKS = throttle.Limit("subject_check", settings.NOABER_SUBJECT_CHECKS_PER_HOUR, 60)
PURPOSE_MAX = 200
SECTIONS = [
    (Kind.REPORT, _lazy("Meldingen"), "pagina_m", "intake:detail"),
    (Kind.SIGNAL, _lazy("Signalen"), "pagina_s", "registry:signal"),
    (Kind.CASE, _lazy("Casussen"), "pagina_c", "cases:case"),
]
RELATED = {
    Kind.REPORT: ("category", "area", "municipality"),
    Kind.SIGNAL: ("theme", "area", "municipality"),
    Kind.CASE: ("case_type", "municipality"),
}


def _load(kind, ids, url_name):
    """The records of one page, in the page's order, each with its own municipality's URL."""
    found = index.MODELS[kind].objects.filter(pk__in=ids).select_related(*RELATED[kind])
    by_pk = {r.pk: r for r in found}
    rows = []
    for pk in ids:
        r = by_pk.get(pk)
        if r is None:
            continue
        if kind == Kind.REPORT:
            what, when, status = r.category, r.created_at.date(), r.get_status_display()
        elif kind == Kind.SIGNAL:
            what, when, status = r.theme, r.received_on, r.get_phase_display()
        else:
            what, when, status = r.case_type, r.created_at.date(), r.status_label
        rows.append(
            {
                "number": r.number,
                "url": reverse(url_name, args=[r.municipality.cbs_code, r.pk]),
                "what": what,
                "when": when,
                "area": getattr(r, "area", None) or "",
                "status": status,
                "municipality": r.municipality,
            }
        )
    return rows


def _keep(request, without: str) -> str:
    """The query string without `without`, URL-encoded and ending in & (for pager links)."""
    params = request.GET.copy()
    params.pop(without, None)
    encoded = params.urlencode()
    return encoded + "&" if encoded else ""


def _refuse(request, context, message, status=400):
    return render(request, "search/search.html", context | {"error": message}, status=status)


@municipality_view("search.use", ["GET", "POST"])
def search(request, municipality):
    # A subject check is a POST (with the CSRF token): a BSN or a name never sits in a URL,
    # a browser history or a link that makes someone else's browser run it.
    subject_mode = request.method == "POST"
    raw = (request.POST if subject_mode else request.GET).get("q", "")
    subject_allowed = can(request.user, "registry.work", municipality)
    context = {
        "q": raw,
        "purpose": request.POST.get("reden", "") if subject_mode else "",
        "subject_allowed": subject_allowed,
        "subject_mode": subject_mode,
        "index_current": index.is_current(),
    }
    if not subject_mode and "q" not in request.GET:
        return render(request, "search/search.html", context)
    if subject_mode:
        return _subject_check(request, municipality, raw, context, subject_allowed)
    try:
        parsed = query.parse(raw)
    except query.QueryError as error:
        return _refuse(request, context, str(error))
    allowed = query.allowed_municipalities(request.user)
    searched = {m for ms in allowed.values() for m in ms}
    if not parsed.number and _names_a_subject(raw, searched):
        # A term that names a subject of the register answers hit / no-hit only, as the
        # bronnencheck does: no list of the records it occurs in (issue 18).
        for m in sorted(searched, key=lambda m: m.pk):
            record(Action.VIEW, request=request, municipality=m, object_type="search",
                   reason="hit_no_hit", detail={"query": parsed.digest, "hit": True})  # fmt: skip
        return render(request, "search/search.html", context | {"names_subject": True})

    # Each kind's hits per municipality, counted once: the page's total and each
    # municipality's audit event come from the same grouped count.
    hits = {kind: query.hits_by_municipality(kind, allowed[kind], parsed)
            for kind, *_rest in SECTIONS if allowed[kind]}  # fmt: skip

    def audit(shown_by_municipality):
        # One event per municipality searched, with that municipality's own hits only, also
        # when the page asked for is refused (the message names the number of pages).
        for m in sorted(searched, key=lambda m: m.pk):
            hits_here = {kind: hits[kind].get(m.pk, 0)
                         for kind, *_rest in SECTIONS if m in allowed[kind]}  # fmt: skip
            record(
                Action.VIEW,
                request=request,
                municipality=m,
                object_type="search",
                reason="search",
                detail={
                    "query": parsed.digest,
                    "terms": len(parsed.tokens),
                    "number": bool(parsed.number),
                    "hits": hits_here,
                    "shown": shown_by_municipality.get(m.pk, []),
                },  # fmt: skip
            )

    sections = []
    try:
        for kind, label, param, url_name in SECTIONS:
            if not allowed[kind]:
                continue
            page = page_of(request, query.record_ids(kind, allowed[kind], parsed), PER_PAGE, param,
                           count=sum(hits[kind].values()))  # fmt: skip
            rows = _load(kind, list(page.object_list), url_name)
            sections.append(
                {
                    "kind": kind,
                    "label": label,
                    "param": param,
                    "page": page,
                    "rows": rows,
                    "keep": _keep(request, param),
                }  # fmt: skip
            )
    except PageError as error:
        audit({})
        return _refuse(request, context, str(error))
    shown: dict = {}
    for section in sections:
        for r in section["rows"]:
            shown.setdefault(r["municipality"].pk, []).append(r["number"])
    audit(shown)
    context |= {
        "sections": sections,
        "total": sum(s["page"].paginator.count for s in sections),
        "several": len(searched) > 1,
    }
    return render(request, "search/search.html", context)


def _names_a_subject(raw: str, municipalities) -> bool:
    """Whether the whole term, a word or a pair of words names a subject in the register of
    one of these municipalities (by its blind-index keys, as the bronnencheck matches)."""
    ids = [m.pk for m in municipalities]
    for kind, data in query.subject_candidates(raw):
        try:
            cleaned = clean_subject(kind, data, search=True)
        except ValidationError:
            continue
        if registry_selectors.subject_named(ids, kind, keys_for(kind, cleaned)):
            return True
    return False


def _subject_check(request, municipality, raw, context, allowed):
    """A subject term: hit / no-hit in this municipality's register, as the bronnencheck's
    first step (registry.actions.find_matches audits it); never which subject or record."""

    def denied(reason, message, status):
        record(Action.DENIED, request=request, municipality=municipality, object_type="search",
               result=Result.DENIED, reason=reason)  # fmt: skip
        return _refuse(request, context, message, status=status)

    if not allowed:
        return denied(
            "hit_no_hit",
            _("Op een betrokkene controleren mag alleen wie een bronnencheck mag doen."),
            403,
        )
    user_key = f"user:{request.user.pk}"
    if throttle.exceeded(SUBJECT_CHECKS, request, key=user_key):
        return denied(
            "rate_limit",
            _(
                "U heeft het afgelopen uur %(n)d keer op een betrokkene gecontroleerd; meer mag "
                "niet. Probeer het later opnieuw, of controleer via de bronnencheck van een "
                "signaal."
            )
            % {"n": SUBJECT_CHECKS.count},
            429,
        )
    purpose = context["purpose"].strip()
    if not purpose or len(purpose) > PURPOSE_MAX:
        return _refuse(
            request,
            context | {"error_field": "reden"},
            _("Vul de reden van de controle in (hoogstens %(max)d tekens).") % {"max": PURPOSE_MAX},
        )
    value = raw.strip()
    if not value or len(value) > query.MAX_LENGTH:
        return _refuse(
            request,
            context,
            _(
                "Vul een naam, BSN, kenteken of postcode met huisnummer in "
                "(hoogstens %(max)d tekens)."
            )
            % {"max": query.MAX_LENGTH},
        )
    kind, data = query.subject_term(value)
    try:
        data = clean_subject(kind, data, search=True)
    except ValidationError as error:
        return _refuse(request, context, " ".join(error.messages))
    if not keys_for(kind, data):
        return _refuse(
            request,
            context,
            _(
                "Hierop kan Noaber geen betrokkene controleren: vul een naam, BSN, kenteken of "
                "postcode met huisnummer in."
            ),  # fmt: skip
        )
    throttle.count(SUBJECT_CHECKS, request, key=user_key)
    match = find_matches(
        municipality, kind, data, actor=request.user, request=request, purpose=purpose
    )
    return render(request, "search/search.html", context | {"subject_hit": match.hit})
