"""The search index: one row per (record, keyed token digest); no text at all.

See docs/decisions/0015-search-index-of-keyed-word-digests.md for what it reveals."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from noaber.accounts.models import Municipality


class Kind(models.TextChoices):
    REPORT = "M", _("melding")
    SIGNAL = "S", _("signaal")
    CASE = "C", _("casus")


class SearchToken(models.Model):
    """Record `record_id` of `kind` contains a token whose keyed digest is `digest`."""

    pk = models.CompositePrimaryKey("kind", "record_id", "digest")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    record_id = models.BigIntegerField()
    # The first 8 bytes of HMAC-SHA256(search key, token), as a signed 64-bit integer.
    digest = models.BigIntegerField()
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, db_index=False, related_name="+"
    )

    class Meta:
        indexes = [
            # A query is an index-only lookup: digest, then municipality and kind, giving ids
            # in order (newest first by scanning backwards).
            models.Index(
                fields=["digest", "municipality", "kind", "record_id"], name="search_lookup"
            ),
        ]

    def __str__(self):
        return f"{self.kind}-{self.record_id}"


class IndexState(models.Model):
    """One row: the fingerprint of the key the index was built with, so a changed
    NOABER_BLIND_INDEX_KEY without a rebuild is noticed instead of silently finding nothing."""

    key_fingerprint = models.CharField(max_length=16)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.key_fingerprint
