"""The bench's URL mix (bench/mix.py): many different paths per kind of page, built
only from the values it was given, never past the page cap."""

import importlib.util
import random
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from lmsa_portal.pagination import MAX_PAGES

spec = importlib.util.spec_from_file_location(
    "bench_mix", Path(__file__).resolve().parents[2] / "bench/mix.py"
)
mix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mix)

VOCABULARY = {
    "specialties": ["cardiology", "pediatrics", "surgery"],
    "states": ["CA", "NM", "TX"],
    "mentor_languages": ["es", "pt"],
    "levels": ["premed", "resident"],
    "modes": ["virtual"],
    "mentor_words": ["garcia", "houston", "cardiology"],
    "program_words": ["albuquerque", "residency"],
    "topics": ["mcat", "match"],
    "audiences": ["premed", "both"],
    "years": [2025, 2026],
    "video_words": ["interviews", "letters"],
    "video_slugs": ["session-1", "session-2"],
    "months": ["2026-11", "2026-12"],
    "feed_token": "tok",
}


def test_each_kind_gets_many_different_paths():
    paths = mix.paths(VOCABULARY, random.Random(1))
    for kind in ["AMA archive", "mentor directory", "program directory"]:
        assert len(paths[kind]) == mix.PER_KIND, kind
        assert len(set(paths[kind])) == len(paths[kind]), kind
    assert paths["home"] == ["/"]
    assert sorted(paths["AMA video page"]) == ["/ama/session-1/", "/ama/session-2/"]


def test_paths_use_only_the_given_values_and_stay_under_the_page_cap():
    paths = mix.paths(VOCABULARY, random.Random(2))
    allowed = {
        "specialty": VOCABULARY["specialties"],
        "state": VOCABULARY["states"],
        "month": VOCABULARY["months"],
        "topic": VOCABULARY["topics"],
    }
    pages, searches = set(), set()
    for kind, kind_paths in paths.items():
        for path in kind_paths:
            query = parse_qs(urlsplit(path).query)
            for name, values in allowed.items():
                assert set(query.get(name, [])) <= set(values), (kind, path)
            pages.update(int(page) for page in query.get("page", []))
            searches.update(query.get("q", []))
    assert 10 < max(pages) <= MAX_PAGES  # deep pages, never past the cap
    words = {w for k, v in VOCABULARY.items() if k.endswith("_words") for w in v}
    assert {word for search in searches for word in search.split()} <= words


def test_the_mix_is_reproducible():
    assert mix.paths(VOCABULARY, random.Random(3)) == mix.paths(
        VOCABULARY, random.Random(3)
    )
