"""The audit log: append-only, hash-chained events.

Rows are written only by `noaber.audit.actions.record`. Each row carries an HMAC-SHA256 over
its content and its predecessor's HMAC, keyed with NOABER_AUDIT_KEY, which is kept outside the
database: whoever can write to the database still cannot forge a row that verifies. Database
triggers (see triggers.py and the migrations) refuse UPDATE and DELETE; `manage.py
verify_audit` recomputes the chain.
"""

import hashlib
import hmac
import json
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# The form of an event's canonical bytes: 1 = the fields of 2026-11 (BIO2's six and detail),
# 2 = also processing activity, confidentiality, retention, trace context and data subject
# (docs/decisions/0018-audit-event-fields.md), 3 = the same fields without a place in the one
# installation-wide chain: the event's HMAC covers its content only and a seal
# (AuditSeal) chains it into its municipality's chain after commit
# (docs/decisions/0019-one-audit-chain-per-municipality.md). Old events keep their form.
FORMAT = 3
# The chain of the events written before 0019 (forms 1 and 2): closed by migration with one
# seal whose hash is the start of every municipality's chain.
LEGACY_CHAIN = "*"
# The namespace of the activities' UUIDs (ProcessingActivity.uuid); never change it.
ACTIVITY_NAMESPACE = uuid.UUID("6f1c3a52-0b8e-5d4b-9a51-3f6d2e8c7a10")


class Action(models.TextChoices):
    VIEW = "view", _("bekeken")
    CREATE = "create", _("aangemaakt")
    UPDATE = "update", _("gewijzigd")
    DELETE = "delete", _("verwijderd")
    EXPORT = "export", _("geëxporteerd")
    SHARE = "share", _("gedeeld")
    LOGIN = "login", _("ingelogd")
    LOGIN_FAILED = "login_failed", _("inloggen mislukt")
    LOGOUT = "logout", _("uitgelogd")
    DENIED = "denied", _("toegang geweigerd")
    VERIFY = "verify", _("gecontroleerd")


class Result(models.TextChoices):
    SUCCESS = "success", _("gelukt")
    FAILURE = "failure", _("mislukt")
    DENIED = "denied", _("geweigerd")


class Confidentiality(models.TextChoices):
    """The VNG vertrouwelijkheidaanduiding (ZGW), from least to most confidential."""

    OPENBAAR = "openbaar", _("openbaar")
    BEPERKT_OPENBAAR = "beperkt_openbaar", _("beperkt openbaar")
    INTERN = "intern", _("intern")
    ZAAKVERTROUWELIJK = "zaakvertrouwelijk", _("zaakvertrouwelijk")
    VERTROUWELIJK = "vertrouwelijk", _("vertrouwelijk")
    CONFIDENTIEEL = "confidentieel", _("confidentieel")
    GEHEIM = "geheim", _("geheim")
    ZEER_GEHEIM = "zeer_geheim", _("zeer geheim")


class ProcessingActivity(models.Model):
    """One processing activity of the register (verwerkingsregister, AVG art. 30), as data:
    loaded from data/reference/processing_activities.json, kept and printed by the privacy
    officer (`noaber.audit.register`, the page Audit → Verwerkingsregister). Every audit
    event names the activity it belongs to by `code` and copies its confidentiality and the
    retention of its log entries at the time of writing."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("naam"), max_length=150)
    purpose = models.TextField(_("doel"))
    legal_basis = models.CharField(_("grondslag"), max_length=300)
    confidentiality = models.CharField(
        _("vertrouwelijkheid"), max_length=20, choices=Confidentiality.choices
    )
    retention_months = models.PositiveIntegerField(_("bewaartermijn van de logregels (maanden)"))
    # The kinds of audit objects (AuditEvent.object_type) this activity covers.
    object_types = models.JSONField(_("soorten objecten"), default=list, blank=True)
    # The rest of what AVG art. 30 lid 1 asks per activity, kept by the privacy officer
    # (docs/verwerkingen.md): plain text, one item a line where there are several.
    data_categories = models.TextField(_("categorieën persoonsgegevens"), blank=True)
    subject_categories = models.TextField(_("categorieën betrokkenen"), blank=True)
    recipients = models.TextField(_("categorieën ontvangers"), blank=True)
    retention = models.TextField(_("bewaartermijn van de gegevens"), blank=True)
    transfers = models.CharField(
        _("doorgifte buiten de EER"), max_length=300, blank=True, default="Geen"
    )
    security = models.TextField(_("beveiligingsmaatregelen"), blank=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), null=True, blank=True)
    updated_by = models.CharField(_("gewijzigd door"), max_length=150, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("verwerkingsactiviteit")
        verbose_name_plural = _("verwerkingsactiviteiten")

    def __str__(self):
        return self.name

    @property
    def uuid(self) -> uuid.UUID:
        """The activity's identity outward (VNG verwerkingsactiviteitId): derived from its
        code, so the same on every request and installation, with no column to keep."""
        return uuid.uuid5(ACTIVITY_NAMESPACE, self.code)


# The fields canonical() reads, in the order verify_audit selects them.
CANONICAL_FIELDS = (
    "format", "seq", "created_at", "actor_id", "actor", "role", "municipality", "action",
    "object_type", "object_id", "result", "origin", "reason", "detail", "prev_hash",
    "processing_activity", "confidentiality", "retention_months", "trace_id", "span_id",
    "parent_span_id", "data_subject", "data_subject_type",
)  # fmt: skip
LATER_FIELDS = CANONICAL_FIELDS[15:]


def canonical(values: dict) -> bytes:
    """An event's canonical bytes from its field values (CANONICAL_FIELDS): used by the model,
    by verify_audit's streaming walk and by migrations, which have no model methods."""
    fields = {name: values[name] for name in CANONICAL_FIELDS[2:14]}
    fields["created_at"] = values["created_at"].isoformat(timespec="microseconds")
    form = values["format"]
    if form < 3:
        fields["seq"] = values["seq"]
        fields["prev_hash"] = values["prev_hash"]
    if form >= 2:
        fields["format"] = form
        for name in LATER_FIELDS:
            fields[name] = values[name]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(values: dict) -> str:
    return hmac.new(
        settings.NOABER_AUDIT_KEY.encode(), canonical(values), hashlib.sha256
    ).hexdigest()


class AuditEvent(models.Model):
    # Forms 1 and 2 only: the position in the one chain of before 0019, gap-free and unique.
    # An event of form 3 has none: its chain is its municipality ("" = installation-wide) and
    # its position is given by the seal that chains it.
    seq = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("tijdstip"), db_index=True)
    # Who: a copy, not a foreign key, so the event outlives the account unchanged.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    role = models.CharField(_("rol"), max_length=100, blank=True)
    # Also the event's chain (form 3): "" for installation-wide events.
    municipality = models.CharField(_("gemeente"), max_length=6, blank=True)
    action = models.CharField(_("handeling"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("soort object"), max_length=50, blank=True)
    object_id = models.CharField(_("object"), max_length=150, blank=True)
    result = models.CharField(_("resultaat"), max_length=10, choices=Result.choices)
    origin = models.CharField(_("herkomst"), max_length=100, blank=True)
    reason = models.TextField(_("reden of doel"), blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    # Form 2 (docs/decisions/0018-audit-event-fields.md): what BIO2 8.15.01, the Logius
    # Logboek Dataverwerkingen (LDV) and the VNG verwerkingenlogging ask beyond the six.
    format = models.PositiveSmallIntegerField(default=1)
    processing_activity = models.CharField(_("verwerkingsactiviteit"), max_length=50, blank=True)
    confidentiality = models.CharField(
        _("vertrouwelijkheid"), max_length=20, choices=Confidentiality.choices, blank=True
    )
    retention_months = models.PositiveIntegerField(_("bewaartermijn (maanden)"), null=True)
    # W3C trace context: the trace is the request id of the JSON logs; each event is a span of
    # its own whose parent is the request's span (LDV trace_id, span_id, parent_span_id).
    trace_id = models.CharField(max_length=32, blank=True)
    span_id = models.CharField(max_length=16, blank=True)
    parent_span_id = models.CharField(max_length=16, blank=True)
    # A keyed pseudonym of the person the data are about (LDV dpl.core.data_subject_id), never
    # a BSN in clear, and the kind of identifier it was made from (bsn, noaber-subject).
    data_subject = models.CharField(_("betrokkene (pseudoniem)"), max_length=64, blank=True)
    data_subject_type = models.CharField(max_length=20, blank=True)
    # Forms 1 and 2: the predecessor's hash ("" in form 3, where the seal links).
    prev_hash = models.CharField(max_length=64, blank=True)
    # The HMAC of canonical(); unique, so a copy of an event cannot be inserted beside it.
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["action", "object_type", "object_id", "created_at"]),
            # A chain in order (verify_audit) and the municipality's events (audit log page).
            models.Index(fields=["municipality", "id"], name="audit_chain_order"),
            # "Who processed what about this person": the VNG verwerkingenlogging read API.
            models.Index(
                fields=["data_subject", "created_at"],
                name="audit_data_subject",
                condition=~models.Q(data_subject=""),
            ),
        ]
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditlog")

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} ({self.result})"

    @property
    def chain(self) -> str:
        return LEGACY_CHAIN if self.format < 3 else self.municipality

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field but the hash itself, in a fixed form (forms 1
        and 2 include the place in the old chain, form 3 does not: its seal gives it)."""
        return canonical({name: getattr(self, name) for name in CANONICAL_FIELDS})

    def compute_hash(self) -> str:
        return event_hash({name: getattr(self, name) for name in CANONICAL_FIELDS})


class AuditSeal(models.Model):
    """One link of a municipality's chain: the events it chains, in order, and the HMAC over
    them and the previous seal's hash. Written only by `noaber.audit.chains.seal`; append-only
    like the events (triggers). The first seal of every chain links to the seal that closed
    the old installation-wide chain (chain LEGACY_CHAIN, number 1)."""

    chain = models.CharField(max_length=6, blank=True)
    number = models.PositiveBigIntegerField()
    # The position in the chain of the first event this seal chains (1 for the first).
    first_seq = models.PositiveBigIntegerField()
    count = models.PositiveIntegerField()
    event_ids = models.JSONField(default=list)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "number"], name="audit_seal_chain_number")
        ]

    def __str__(self):
        return f"{self.chain or '-'}:{self.number}"

    @property
    def last_seq(self) -> int:
        return self.first_seq + self.count - 1

    def canonical(self, macs: list[str]) -> bytes:
        """The bytes the seal's hash covers; `macs` are the hashes of its events in order."""
        if self.chain == LEGACY_CHAIN:
            # Closes the old chain: its length and its head event's hash.
            body = ["legacy", self.count, self.first_seq, self.prev_hash]
        else:
            body = [
                "seal", self.chain, self.number, self.first_seq, self.prev_hash,
                [[int(i), m] for i, m in zip(self.event_ids, macs, strict=True)],
            ]  # fmt: skip
        return json.dumps(body, separators=(",", ":")).encode()

    def compute_hash(self, macs: list[str]) -> str:
        key = settings.NOABER_AUDIT_KEY.encode()
        return hmac.new(key, self.canonical(macs), hashlib.sha256).hexdigest()


class AuditPending(models.Model):
    """An event committed and not yet sealed: inserted with the event, in the same transaction,
    and removed by the seal that chains it. Not append-only (it is a queue); an event that is
    neither sealed nor here is reported by verify_audit."""

    event_id = models.BigIntegerField(primary_key=True)
    chain = models.CharField(max_length=6, blank=True)

    class Meta:
        indexes = [models.Index(fields=["chain", "event_id"], name="audit_pending_chain")]

    def __str__(self):
        return f"{self.chain or '-'}:{self.event_id}"
