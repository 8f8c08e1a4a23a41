"""The search index follows every write of an indexed field.

The search app sits above intake, the register and casusregie, which must not import it
(docs/decisions/0010-app-layers.md). It listens instead:

- Django's `post_save` / `post_delete` of Report, Signal and Case (every `save()`, `create()`
  and `delete()`); a save with `update_fields` that names no indexed field is skipped;
- `noaber.lib.events.records_changed`, which the lower apps send after a `QuerySet.update()`
  that touches an indexed field (optimistic-locking edits, retention's anonymising);
- `pre_save` / `post_save` of a category, theme, area or case type: a changed name changes
  the tokens of every record that shows it, which `tasks.reindex_showing` redoes after the
  commit (a job: a name may be on many records);
- `noaber.lib.events.field_keys_rotated`, sent by `rotate_field_keys`: with `--reindex` (the
  blind-index key may have changed) the index is rebuilt; otherwise only if its key
  fingerprint no longer matches.

Receivers run in the writer's transaction, so a record and its tokens commit (or roll back)
together."""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from noaber.lib.events import field_keys_rotated, records_changed

from . import index, tasks


def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return  # fixtures: rebuild_search_index after loading
    if (
        update_fields is not None
        and not set(update_fields) & index.INDEXED_FIELDS[index.KIND_OF[sender]]
    ):
        return
    index.reindex(sender, [instance.pk])


def _deleted(sender, instance, **kwargs):
    index.forget(sender, instance.pk)


def _changed(sender, pks, fields=None, **kwargs):
    if sender not in index.KIND_OF:
        return
    if fields is not None and not set(fields) & index.INDEXED_FIELDS[index.KIND_OF[sender]]:
        return
    index.reindex(sender, pks)


def _name_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    fields = tasks.NAME_FIELDS[sender._meta.label]
    instance._search_names_before = (
        sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    )


def _name_after(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_search_names_before", None)
    if raw or created or before is None:
        return
    label = sender._meta.label
    if before != tuple(getattr(instance, f) for f in tasks.NAME_FIELDS[label]):
        pk = instance.pk
        transaction.on_commit(lambda: tasks.reindex_showing.enqueue(label, pk))


def _rotated(sender, reindex=False, stdout=None, **kwargs):
    if reindex or not index.is_current():
        count = index.rebuild()
        if stdout is not None:
            stdout.write(f"Zoekindex opnieuw opgebouwd: {count} records.")


def connect() -> None:
    for model in index.MODELS.values():
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-saved-{model._meta.label}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"search-deleted-{model._meta.label}"
        )
    for label in tasks.NAME_FIELDS:
        model = apps.get_model(label)
        pre_save.connect(_name_before, sender=model, dispatch_uid=f"search-name-before-{label}")
        post_save.connect(_name_after, sender=model, dispatch_uid=f"search-name-after-{label}")
    records_changed.connect(_changed, dispatch_uid="search-records-changed")
    field_keys_rotated.connect(_rotated, dispatch_uid="search-keys-rotated")
