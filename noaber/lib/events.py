"""Small in-process events that let a lower app tell an upper one that something changed,
without importing it (docs/decisions/0010-app-layers.md).

- `records_changed(sender=<model>, pks=[...])`: rows of `sender` were written through
  `QuerySet.update()` (optimistic-locking bumps, retention's anonymising), which sends no model
  signal. Writes through `save()`/`create()`/`delete()` need no event: Django's own
  `post_save`/`post_delete` already tell.
- `field_keys_rotated(sender=None, reindex=bool)`: `rotate_field_keys` finished; with
  `reindex`, NOABER_BLIND_INDEX_KEY may have changed and every keyed index must be recomputed.

- `audit_incident(sender=None, problem=str)`: the periodic audit check found the log broken
  or unprotected (missing triggers, anchors that do not match); the accounts app tells the
  privacy officers.

Receivers run synchronously, inside the sender's transaction.
"""

from django.dispatch import Signal

records_changed = Signal()
field_keys_rotated = Signal()
audit_incident = Signal()
