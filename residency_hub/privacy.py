"""The residency hub's part of a member's data export and account erasure."""


def export_user_data(user) -> dict:
    return {
        "calendar_feed_tokens": [
            {
                "created_at": token.created_at.isoformat(),
                "revoked_at": token.revoked_at.isoformat()
                if token.revoked_at
                else None,
            }
            for token in user.calendar_feed_tokens.all()
        ],
        "program_submissions": [
            {
                "program_name": submission.name,
                "created_at": submission.created_at.isoformat(),
                "status": submission.status,
            }
            for submission in _submissions(user)
        ],
    }


def erase_user_data(user) -> None:
    """Feed tokens go with the account (cascade); submissions keep the program
    details staff reviewed but lose the submitter's name and email."""
    _submissions(user).update(
        submitter_name="", submitter_role="", submitter_email="deleted@invalid"
    )


def _submissions(user):
    from residency_hub.models import ProgramSubmission

    return ProgramSubmission.objects.filter(submitter_email__iexact=user.email)
