"""Point each panelist at the mentor their old listing path named.

A path is matched when it (or the path of a full URL) resolves to the registry's
detail route and that mentor still exists; anything else is dropped with the
old column in 0006.
"""

from urllib.parse import urlsplit

from django.db import migrations
from django.urls import NoReverseMatch, Resolver404, resolve, reverse


def mentor_pk_from_path(value: str) -> int | None:
    path = urlsplit((value or "").strip()).path
    if not path:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "mentors:detail":
        return None
    return match.kwargs.get("pk")


def paths_to_mentors(apps, schema_editor):
    Panelist = apps.get_model("ama", "Panelist")
    Mentor = apps.get_model("mentors", "Mentor")
    wanted = {}
    for panelist in Panelist.objects.exclude(mentor_listing_url="").only(
        "pk", "mentor_listing_url"
    ):
        pk = mentor_pk_from_path(panelist.mentor_listing_url)
        if pk is not None:
            wanted[panelist.pk] = pk
    existing = set(
        Mentor.objects.filter(pk__in=set(wanted.values())).values_list("pk", flat=True)
    )
    for panelist_pk, mentor_pk in wanted.items():
        if mentor_pk in existing:
            Panelist.objects.filter(pk=panelist_pk).update(mentor_id=mentor_pk)


def mentors_to_paths(apps, schema_editor):
    Panelist = apps.get_model("ama", "Panelist")
    for panelist in Panelist.objects.filter(mentor__isnull=False).only(
        "pk", "mentor_id"
    ):
        try:
            path = reverse("mentors:detail", args=[panelist.mentor_id])
        except NoReverseMatch:
            continue
        Panelist.objects.filter(pk=panelist.pk).update(mentor_listing_url=path)


class Migration(migrations.Migration):
    dependencies = [
        ("ama", "0004_panelist_mentor"),
        ("mentors", "0004_search_gin_index"),
    ]

    operations = [migrations.RunPython(paths_to_mentors, mentors_to_paths)]
