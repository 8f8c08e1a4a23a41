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
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["action", "object_type", "object_id", "created_at"])]
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
        return json.dumps(
            fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def compute_hash(self) -> str:
        key = settings.NOABER_AUDIT_KEY.encode()
        return hmac.new(key, self.canonical(), hashlib.sha256).hexdigest()
