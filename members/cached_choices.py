"""Filter choices read from small tables (specialties, languages, topics, years),
kept in the shared cache so a directory page does not query them on every request;
and the data versions that key cached fragments of the directories.

Each list is cached under a key that carries a version; saving or deleting a row of
the model it comes from (or changing one of its many-to-many links) bumps the
version, so an edit in the admin shows at once in every worker. Every model of the
portal's own apps is watched from start-up (``watch_portal_models``, called by
``MembersConfig.ready``): a worker, a management command or the task worker that
saves a row bumps its version even if it never read one itself.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import router, transaction
from django.db.models import Model, signals

CACHE_SECONDS = 60 * 60
# Cached page fragments also expire on their own: bulk updates (``.update()``)
# send no signal, so a fragment is never more than this much behind.
FRAGMENT_SECONDS = 120
_watched: set[type[Model]] = set()


def _version_key(model: type[Model]) -> str:
    return f"choices-version:{model._meta.label_lower}"


def _first_version() -> int:
    """A version never used before, for a key that is missing (new, or evicted):
    restarting at 1 could bring back entries stored under an earlier 1."""
    return time.time_ns() // 1000


def _bump(sender, **kwargs) -> None:
    """Move ``sender``'s version on: every key built from it is stale now."""
    try:
        cache.incr(_version_key(sender))
    except ValueError:  # not cached yet
        cache.set(_version_key(sender), _first_version(), None)


def _on_change(sender, **kwargs) -> None:
    # Proxy models (PendingMentor) save the same rows: follow the concrete model.
    concrete = sender._meta.concrete_model
    if concrete in _watched:
        _bump(concrete)  # for what this request reads next
        if transaction.get_connection(router.db_for_write(concrete)).in_atomic_block:
            # And again once committed: a reader between the two would otherwise
            # keep the uncommitted-away rows under the new version.
            transaction.on_commit(lambda: _bump(concrete))


signals.post_save.connect(_on_change, weak=False)
signals.post_delete.connect(_on_change, weak=False)


def _watch(model: type[Model]) -> None:
    if model in _watched:
        return
    _watched.add(model)
    for field in model._meta.get_fields():
        if field.many_to_many and not field.auto_created:

            def bump_owner(sender, model=model, **kwargs):
                _bump(model)

            signals.m2m_changed.connect(
                bump_owner, sender=field.remote_field.through, weak=False
            )


def watch_portal_models() -> None:
    """Watch every model of the apps whose rows the cached pages show
    (``settings.CACHED_CONTENT_APPS``). Not the accounts and the list: a login or a
    sign-up must not depend on a version counter."""
    from django.apps import apps
    from django.conf import settings

    for app_label in settings.CACHED_CONTENT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            _watch(model)


def cached_rows(
    name: str, model: type[Model], load: Callable[[], list]
) -> Callable[[], list]:
    """A function returning ``load()``, cached until ``model`` changes."""
    _watch(model)

    def rows() -> list:
        version = cache.get_or_set(_version_key(model), _first_version, None)
        key = f"choices:{name}:{version}"
        value = cache.get(key)
        if value is None:
            value = list(load())
            cache.set(key, value, CACHE_SECONDS)
        return value

    return rows


def data_version(*models: type[Model]) -> str:
    """One string that changes whenever a row of any of ``models`` changes: part of
    the key of a cached fragment built from them."""
    return data_version_and(models, [])[0]


def data_version_and(models, keys: list[str]) -> tuple[str, dict]:
    """``data_version(*models)`` and ``cache.get_many(keys)`` in one round trip."""
    for model in models:
        _watch(model)
    version_keys = [_version_key(model) for model in models]
    found = cache.get_many(version_keys + keys)
    missing = {key: _first_version() for key in version_keys if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    version = ".".join(str(found.pop(key)) for key in version_keys)
    return version, found
