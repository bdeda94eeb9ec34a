"""PostgreSQL: the directory searches can use their GIN indexes.

The index is on exactly the expression the search filters on; if either side
changes alone, PostgreSQL silently falls back to computing every row's document.
"""

import pytest
from django.db import connection

from ama.filters import SEARCH_FIELDS as VIDEO_FIELDS
from ama.models import Video
from lmsa_portal.search import search_queryset
from mentors.filters import SEARCH_FIELDS as MENTOR_FIELDS
from mentors.models import Mentor
from residency_hub.filters import PROGRAM_SEARCH_FIELDS
from residency_hub.models import Program

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "index"),
    [
        (Mentor, MENTOR_FIELDS, "mentors_search_gin"),
        (Program, PROGRAM_SEARCH_FIELDS, "residency_hub_program_search_gin"),
        (Video, VIDEO_FIELDS, "ama_video_search_gin"),
    ],
)
def test_search_uses_its_gin_index(model, fields, index):
    queryset = search_queryset(model.objects.all(), "cardiology residency", fields)
    with connection.cursor() as cursor:
        # Tiny test tables: make a full scan look expensive so the plan shows
        # whether the index can serve the filter at all. Plain index scans are
        # off too: otherwise the planner may walk a btree index in the sort
        # order and filter every row (a GIN index is only used by bitmap scans).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        plan = queryset.explain()
    assert index in plan
