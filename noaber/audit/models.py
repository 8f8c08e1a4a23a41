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

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# The form of an event's canonical bytes: 1 = the fields of 2026-11 (BIO2's six and detail),
# 2 = also processing activity, confidentiality, retention, trace context and data subject
# (docs/decisions/0018-audit-event-fields.md). Old events keep their form and their HMAC.
FORMAT = 2


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
    loaded from data/reference/processing_activities.json (no edit page yet). Every audit
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

    class Meta:
        ordering = ["code"]
        verbose_name = _("verwerkingsactiviteit")
        verbose_name_plural = _("verwerkingsactiviteiten")

    def __str__(self):
        return self.name


class AuditEvent(models.Model):
    # Position in the chain: gap-free and unique, so two writers can never fork the chain.
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(_("tijdstip"), db_index=True)
    # Who: a copy, not a foreign key, so the event outlives the account unchanged.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    role = models.CharField(_("rol"), max_length=100, blank=True)
    municipality = models.CharField(_("gemeente"), max_length=6, blank=True, db_index=True)
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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["action", "object_type", "object_id", "created_at"]),
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
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} ({self.result})"

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field but the hash itself, in a fixed form."""
        fields = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "role": self.role,
            "municipality": self.municipality,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "result": self.result,
            "origin": self.origin,
            "reason": self.reason,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }
        if self.format >= 2:
            fields |= {
                "format": self.format,
                "processing_activity": self.processing_activity,
                "confidentiality": self.confidentiality,
                "retention_months": self.retention_months,
                "trace_id": self.trace_id,
                "span_id": self.span_id,
                "parent_span_id": self.parent_span_id,
                "data_subject": self.data_subject,
                "data_subject_type": self.data_subject_type,
            }
        return json.dumps(
            fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def compute_hash(self) -> str:
        key = settings.NOABER_AUDIT_KEY.encode()
        return hmac.new(key, self.canonical(), hashlib.sha256).hexdigest()
