"""The listserv's part of a member's data export and account erasure."""

from listserv.services import subscriber_for_user


def export_user_data(user) -> dict:
    subscriber = subscriber_for_user(user)
    if subscriber is None:
        return {"subscription": None}
    return {
        "subscription": {
            "name": subscriber.name,
            "email": subscriber.email,
            "role": subscriber.role,
            "institution": subscriber.institution,
            "specialty": str(subscriber.specialty) if subscriber.specialty else None,
            "state": subscriber.state,
            "interests": [str(interest) for interest in subscriber.interests.all()],
            "frequency": subscriber.frequency,
            "status": subscriber.status,
            "consent_text": subscriber.consent_text,
            "created_at": subscriber.created_at.isoformat(),
            "confirmed_at": (
                subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None
            ),
            "mailings_received": subscriber.deliveries.filter(status="sent").count(),
        }
    }


def erase_user_data(user) -> None:
    """Deleting the account ends the subscription and its delivery log."""
    subscriber = subscriber_for_user(user)
    if subscriber is not None:
        subscriber.delete()
