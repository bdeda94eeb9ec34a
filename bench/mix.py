"""The bench's URL mix: for each kind of page, a few hundred different realistic
paths built from the scale data's real values (`manage.py bench_fixtures`), so a
load run asks for a different page on nearly every request, never one warm URL.

Pure Python (no Django): `paths(vocabulary, rng)` -> {kind: [path, ...]}.
"""

import random
from urllib.parse import urlencode

PER_KIND = 300
MAX_PAGE = 50  # lmsa_portal.pagination.MAX_PAGES


def _page(rng: random.Random) -> dict:
    """Half first pages, the rest anywhere up to the cap (deep pages included)."""
    return {} if rng.random() < 0.5 else {"page": rng.randint(2, MAX_PAGE)}


def _some(rng: random.Random, choices: dict[str, list]) -> dict:
    """Each filter set with probability 1/2, to a random real value."""
    return {
        name: rng.choice(values)
        for name, values in choices.items()
        if values and rng.random() < 0.5
    }


def _url(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _distinct(make, rng: random.Random) -> list[str]:
    """Up to PER_KIND different paths from ``make(rng)`` (fewer if the values run
    out), in a reproducible order."""
    found = {}
    for _attempt in range(PER_KIND * 20):
        found.setdefault(make(rng), None)
        if len(found) == PER_KIND:
            break
    return list(found)


def paths(v: dict, rng: random.Random) -> dict[str, list[str]]:
    mentor_filters = {
        "specialty": v["specialties"],
        "state": v["states"],
        "language": v["mentor_languages"],
        "level": v["levels"],
        "mode": v["modes"],
        "accepting": ["on"],
        "sort": ["name", "specialty", "state", "recent"],
    }
    program_filters = {
        "specialty": v["specialties"],
        "state": v["states"],
        "language": ["en", "es"],
        "sort": ["name", "institution", "state", "-last_verified_on"],
    }
    video_filters = {
        "topic": v["topics"],
        "audience": v["audiences"],
        "year": [str(year) for year in v["years"]],
        "language": ["en", "es"],
    }

    def search(words, filters):
        def make(rng):
            count = min(len(words), rng.choice([1, 1, 2]))  # one word or two
            query = {"q": " ".join(rng.sample(words, k=count))}
            if rng.random() < 0.3:  # a search narrowed by one filter
                name = rng.choice(list(filters))
                query[name] = rng.choice(filters[name])
            if rng.random() < 0.2:  # and a later page of the results
                query |= _page(rng)
            return query

        return make

    def calendar(rng):
        path = f"/residency-hub/specialties/{rng.choice(v['specialties'])}/calendar/"
        view = rng.choice(["month", "month", "month", "upcoming", "past"])
        if view == "month":
            return _url(path, {"month": rng.choice(v["months"])})
        return _url(path, {"view": view} | _page(rng))

    def feed(rng):
        slug = rng.choice(v["specialties"])
        return f"/residency-hub/specialties/{slug}/calendar.ics?token={v['feed_token']}"

    makers = {
        "home": lambda rng: "/",
        "AMA archive": lambda rng: _url(
            "/ama/", _some(rng, video_filters) | _page(rng)
        ),
        "AMA search": lambda rng: _url(
            "/ama/", search(v["video_words"], video_filters)(rng)
        ),
        "AMA video page": lambda rng: f"/ama/{rng.choice(v['video_slugs'])}/",
        "mentor directory": lambda rng: _url(
            "/mentors/", _some(rng, mentor_filters) | _page(rng)
        ),
        "mentor search": lambda rng: _url(
            "/mentors/", search(v["mentor_words"], mentor_filters)(rng)
        ),
        "program directory": lambda rng: _url(
            "/residency-hub/", _some(rng, program_filters) | _page(rng)
        ),
        "program search": lambda rng: _url(
            "/residency-hub/", search(v["program_words"], program_filters)(rng)
        ),
        "specialty page": lambda rng: (
            f"/residency-hub/specialties/{rng.choice(v['specialties'])}/"
        ),
        "specialty calendar": calendar,
        "calendar feed": feed,
    }
    return {kind: _distinct(make, rng) for kind, make in makers.items()}
