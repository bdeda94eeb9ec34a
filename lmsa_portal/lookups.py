"""Query lookups that keep hostile input from crashing the database driver.

Django answers ``filter(pk=<huge number>)`` with "no rows" on every backend
(``IntegerFieldOverflow``), but ``filter(pk__in=[<huge number>])`` still hands the
number to the driver, and SQLite's raises ``OverflowError`` for anything past
64 bits. ``ModelMultipleChoiceField`` validates its choices with exactly that
``__in`` query, so a checkbox value of ``9223372036854775808`` was a 500 on every
form with a many-to-many field. A value no column can hold matches no row, so
it is simply left out of the ``IN (...)`` list (on PostgreSQL it also keeps the
query on the index instead of a numeric comparison).

It stays one lookup rather than a check in each form because forms are not the
only way in: every admin changelist, third-party ones included, accepts
``?id__in=`` from the query string, admin actions filter the ticked ``pk__in``,
and Django's own Group admin has a many-to-many field. Django itself treats
``=``, ``<``, ``>`` this way (``IntegerFieldOverflow``); this adds ``in``.
``tests/security/test_out_of_range_ids.py`` covers each of those ways in.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
