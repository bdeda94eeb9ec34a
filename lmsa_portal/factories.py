"""What the apps' demo data (`<app>/demo.py`) shares: rows are made by the app's
factory_boy factory, so the demo, the scale seed and the tests describe each
model once."""

from typing import Any

import factory
from django.db import models


def create_or_refresh(
    model_factory: type[factory.django.DjangoModelFactory],
    *,
    lookup: dict[str, Any],
    defaults: dict[str, Any] | None = None,
    **fields: Any,
) -> models.Model:
    """The demo's row for ``lookup``: made by ``model_factory`` the first time
    (with ``defaults`` and ``fields``); on a later run its ``fields`` are brought up
    to date and it is saved only when one changed, so ``load_demo_data`` is safe to
    run again and keeps what staff changed in ``defaults``."""
    model = model_factory._meta.get_model_class()
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        return model_factory(**lookup, **(defaults or {}), **fields)
    changed = [
        name for name, value in fields.items() if getattr(instance, name) != value
    ]
    for name in changed:
        setattr(instance, name, fields[name])
    if changed:
        instance.save()
    return instance
