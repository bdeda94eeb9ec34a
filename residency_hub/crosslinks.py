"""A specialty's mentors and AMA videos, read from the apps that own them."""

CROSS_LINKS_SHOWN = 6


def mentors_for(*, specialty, user) -> list:
    """Up to six live mentors of ``specialty``; none unless the viewer is an active
    member (the registry's own access rule)."""
    from mentors.models import Mentor

    return list(
        Mentor.objects.visible_to(user)
        .filter(specialty=specialty)
        .order_by("last_name", "first_name", "pk")[:CROSS_LINKS_SHOWN]
    )


def videos_for(*, specialty) -> list:
    """Up to six published AMA videos of ``specialty``, newest first."""
    from ama.models import Video

    return list(
        Video.objects.published()
        .filter(specialty=specialty)
        .order_by("-date", "-pk")[:CROSS_LINKS_SHOWN]
    )
