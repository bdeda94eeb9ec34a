"""Free-text search shared by the directories.

PostgreSQL: full-text search (``websearch`` syntax, ranked). A row matches when its
own fields match the query (one document, served by a GIN index on exactly that
expression, see ``search_index``) or when a related row's fields do (the specialty
of a mentor, the panelists or topics of a video): each relation is searched on its
own table and joins the rows by key, so no page ever computes a document for every
row. Other databases (SQLite in development): every word must appear,
case-insensitively, in one of the fields.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "simple"  # names and Spanish/English text: no language stemming


def search_document(*fields: str) -> SearchVector:
    """The document of a row's own ``fields``; the GIN index is on this expression."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def search_index(*fields: str, name: str) -> GinIndex:
    """The GIN index that serves ``search_queryset`` on these local ``fields``.

    PostgreSQL only: a migration adds it with ``RunPython`` when the database is
    PostgreSQL (see ``add_search_index``), so SQLite keeps working.
    """
    return GinIndex(search_document(*fields), name=name)


def add_search_index(app_label: str, model_name: str, fields: list[str], name: str):
    """A pair of RunPython functions creating/dropping the index on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            schema_editor.add_index(model, search_index(*fields, name=name))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            schema_editor.remove_index(model, search_index(*fields, name=name))

    return forwards, backwards


def add_admin_search_indexes(app_label: str, model_name: str, fields: list[str]):
    """RunPython functions creating/dropping, on PostgreSQL only, a trigram GIN
    index on ``UPPER(field)`` for each of ``fields``: the expression the admin's
    ``search_fields`` (``icontains``) filter on, so a changelist search reads the
    index instead of scanning the table. Needs the pg_trgm extension first."""

    def index_names(model):
        table = model._meta.db_table
        return [(f"{table}_{field}_trgm"[:63], field) for field in fields]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.quote_name
        for name, field in index_names(model):
            column = model._meta.get_field(field).column
            schema_editor.execute(
                f"CREATE INDEX {quote(name)} ON {quote(model._meta.db_table)} "
                f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = apps.get_model(app_label, model_name)
        for name, _field in index_names(model):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")

    return forwards, backwards


def _related_condition(model, relation: str, fields: list[str], search) -> Q:
    """Rows whose ``relation`` has a row matching ``search`` in ``fields``."""
    field = model._meta.get_field(relation)
    matching = (
        field.related_model._base_manager.annotate(
            related_document=search_document(*fields)
        )
        .filter(related_document=search)
        .values("pk")
    )
    if field.many_to_one:
        # A forward key (a mentor's specialty): the few matching keys, inline.
        return Q(**{f"{relation}__in": list(matching.values_list("pk", flat=True))})
    # Reverse key or many-to-many: the owning rows' keys, inline so the planner
    # can OR them with the indexed match (a subquery would force a full scan).
    keys = (
        model._base_manager.filter(**{f"{relation}__in": matching})
        .values_list("pk", flat=True)
        .distinct()
    )
    return Q(pk__in=list(keys))


def search_queryset(queryset: QuerySet, query: str, fields: list[str]) -> QuerySet:
    """Filter ``queryset`` to rows matching ``query`` in any of ``fields``."""
    query = " ".join((query or "").split())[:200]
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        local = [field for field in fields if "__" not in field]
        related: dict[str, list[str]] = {}
        for field in fields:
            if "__" in field:
                relation, name = field.split("__", 1)
                related.setdefault(relation, []).append(name)
        search = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        vector = search_document(*local)
        # Filter on the match itself (`@@`): ts_rank gives non-matches a tiny,
        # non-zero rank, so a rank threshold would let them through.
        condition = Q(search_document=search)
        for relation, names in related.items():
            condition |= _related_condition(queryset.model, relation, names, search)
        return queryset.annotate(
            search_document=vector, search_rank=SearchRank(vector, search)
        ).filter(condition)
    condition = Q()
    for word in query.split():
        word_condition = Q()
        for field in fields:
            word_condition |= Q(**{f"{field}__icontains": word})
        condition &= word_condition
    if any("__" in field for field in fields):
        # Through a subquery: joins on panelists or topics would repeat rows.
        matches = queryset.model._base_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=matches)
    return queryset.filter(condition)
