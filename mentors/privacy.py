"""The registry's part of a member's data export and account erasure.

A mentor listing belongs to the physician, not to the portal account that may
have submitted it: erasing the account unlinks it (the physician keeps managing it
from their signed link).
"""


def export_user_data(user) -> dict:
    from mentors.models import Mentor

    listings = Mentor.objects.filter(user=user) | Mentor.objects.with_email(user.email)
    return {
        "mentor_listings": [
            {
                "name": mentor.full_name,
                "credentials": mentor.credentials,
                "email": mentor.email,
                "phone": str(mentor.phone),
                "specialty": str(mentor.specialty),
                "institution": mentor.institution,
                "city": mentor.city,
                "state": mentor.state,
                "status": mentor.status,
                "special_requests": mentor.special_requests,
                "created_at": mentor.created_at.isoformat(),
            }
            for mentor in listings.distinct().select_related("specialty")
        ],
        "mentorship_requests": [
            {
                "mentor": request.mentor.full_name,
                "about_me": request.about_me,
                "hopes": request.hopes,
                "message": request.message,
                "status": request.status,
                "note_from_the_mentor": request.decline_note,
                "sent_at": request.created_at.isoformat(),
                "answered_at": request.answered_at.isoformat()
                if request.answered_at
                else None,
                "did_you_connect": request.outcome or None,
            }
            for request in user.mentorship_requests.select_related("mentor")
        ],
        "saved_searches": [
            {
                "name": search.name,
                "filters": search.query,
                "weekly_email": search.alerts,
                "saved_at": search.created_at.isoformat(),
                "last_checked_at": search.last_checked_at.isoformat()
                if search.last_checked_at
                else None,
            }
            for search in user.saved_searches.all()
        ],
    }


def erase_user_data(user) -> None:
    user.mentor_listings.update(user=None)
    # The mentor is told nothing; their link then says the request was withdrawn.
    user.mentorship_requests.all().delete()
    user.saved_searches.all().delete()
