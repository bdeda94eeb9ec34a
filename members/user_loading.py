"""Loading a member for a request with a query compiled once: the hot path of
every signed-in request (and of every calendar feed poll).

``AuthenticationMiddleware`` loads the session's user on every signed-in request,
with what the access rule reads (``members.access.with_member_state``). Django's ORM
composes and compiles that query anew each time, and on this page-cached portal
that was the largest single cost of a members-only page (measured: 1.05 ms for the
ORM's ``.first()`` against 0.36 ms for running its SQL; ``make bench``: the
authenticated baseline went from ~800 to ~1,090 requests/s).

Each lookup is compiled once per process and database alias by the ORM itself;
a request then only runs the SQL and builds the user and its membership the way
Django's own ``ModelIterable`` does (same compiler, same converters, same
related-object populators). The result is the object
``users_with_member_state().filter(...).first()`` returns, which
``tests/members/test_user_loading.py`` checks for every state of the access rule.
"""

from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from members.access import users_with_member_state

# Values no row has: they mark where the looked-up value goes in the compiled
# query's parameters.
_MARKERS = {int: -(2**62) + 20_241_125, str: "lmsa:compiled-lookup-marker"}


@dataclass(frozen=True)
class _CompiledLoad:
    compiler: SQLCompiler
    sql: str
    params: tuple
    value_position: int
    model_slice: slice
    init_list: list[str]
    annotations: dict[str, int]


@cache
def _compiled(alias: str, lookup: str, kind: type, fixed: tuple) -> _CompiledLoad:
    marker = _MARKERS[kind]
    # One filter() call: on a many-valued relation every condition then holds
    # for the same related row.
    users = users_with_member_state().filter(**{lookup: marker}, **dict(fixed))
    compiler = users[:1].query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    klass_info = compiler.klass_info
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1]
    return _CompiledLoad(
        compiler=compiler,
        sql=sql,
        params=tuple(params),
        value_position=list(params).index(marker),
        model_slice=slice(first, last + 1),
        init_list=[
            column[0].target.attname for column in compiler.select[first : last + 1]
        ],
        annotations=dict(compiler.annotation_col_map),
    )


def _load(alias: str, load: _CompiledLoad, value):
    model = users_with_member_state().model
    params = list(load.params)
    params[load.value_position] = value
    with connections[alias].cursor() as cursor:
        cursor.execute(load.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = next(iter(load.compiler.results_iter(results=[[row]])))
    user = model.from_db(alias, load.init_list, row[load.model_slice])
    for populator in get_related_populators(
        load.compiler.klass_info, load.compiler.select, alias
    ):
        populator.populate(row, user)
    for name, position in load.annotations.items():
        setattr(user, name, row[position])
    return user


def load_user(user_id):
    """The user with primary key ``user_id`` (as the session stores it) with the
    access rule's inputs loaded, or None."""
    model = users_with_member_state().model
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if not isinstance(pk, int):
        return None
    alias = router.db_for_read(model)
    # The ORM answers "no such row" for an id past the column's range; a database
    # driver would raise instead (SQLite: OverflowError).
    low, high = connections[alias].ops.integer_field_range(
        model._meta.pk.get_internal_type()
    )
    if not low <= pk <= high:
        return None
    return _load(alias, _compiled(alias, "pk", int, ()), pk)


def load_user_by(lookup: str, value: str, **fixed):
    """The one user for whom ``lookup`` equals the text ``value`` and the ``fixed``
    conditions hold (all in one ``filter()``), with the access rule's inputs
    loaded, or None. ``fixed`` values are compiled into the query: constants only."""
    model = users_with_member_state().model
    alias = router.db_for_read(model)
    load = _compiled(alias, lookup, str, tuple(sorted(fixed.items())))
    return _load(alias, load, value)
