"""Do once, at start-up, what every worker would otherwise do on its first request.

Django fills several things lazily: the URLconf (which imports every view module,
and with it allauth, icalendar, ...), the cache client (which imports redis-py),
the translation catalogs and the compiled templates. In a gunicorn worker that is
~0.5 s on its first requests; with ``preload_app`` and workers recycled after
``max_requests``, a newly forked worker paid it again every few seconds under load,
and those requests made the p99 latency of every page (measured by ``make bench``:
p99 of the trivial views 540-860 ms with recycling, 21-48 ms without).

``warm_up()`` runs from ``lmsa_portal.wsgi``: with ``preload_app`` in the gunicorn
master, so forked workers start warm. It opens no database or cache connection
(those must not be shared across a fork) and never raises: a warm-up that fails
only leaves the work for the first request.
"""

import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver, get_urlconf
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> None:
    for step in (_urls, _models, _caches, _translations, _templates):
        try:
            step()
        except Exception:  # a cold first request is better than a dead server
            logger.exception("warm-up step %s failed", step.__name__)


def _urls() -> None:
    resolver = get_resolver(get_urlconf())
    patterns = resolver.url_patterns  # imports the URLconf and every view module
    names = resolver.reverse_dict  # builds the reverse lookup tables
    logger.debug("URLconf: %d patterns, %d reverse entries", len(patterns), len(names))


def _models() -> None:
    for model in apps.get_models():
        model._meta.get_fields()  # relation tree and field maps


def _caches() -> None:
    for alias in settings.CACHES:
        client = getattr(caches[alias], "_cache", None)  # imports the client library
        if client is not None and hasattr(client, "_get_connection_pool"):
            # Pools only; redis-py opens connections on the first command and
            # resets a pool that finds itself in a forked process.
            client._get_connection_pool(write=False)


def _translations() -> None:
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)


def _templates() -> None:
    """Compile the project's own templates into the cached loader."""
    for engine in engines.all():
        dirs = [Path(folder) for folder in engine.dirs]
        dirs += [
            Path(config.path) / "templates"
            for config in apps.get_app_configs()
            if Path(config.path).parent == Path(settings.BASE_DIR)  # the project's apps
        ]
        for folder in filter(Path.is_dir, dirs):
            for file in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.txt")):
                try:
                    engine.get_template(file.relative_to(folder).as_posix())
                except TemplateSyntaxError:
                    logger.exception("template %s does not compile", file)
