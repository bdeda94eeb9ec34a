"""The AMA series' part of a member's data export and account erasure.

Questions stay on the session page without their author (the foreign key is
SET_NULL); votes go with the account.
"""


def export_user_data(user) -> dict:
    return {
        "questions": [
            {
                "session": question.session.title,
                "text": question.text,
                "status": question.status,
                "asked_at": question.created_at.isoformat(),
            }
            for question in user.ama_questions.select_related("session")
        ],
        "votes": [
            {"question": vote.question.text}
            for vote in user.ama_votes.select_related("question")
        ],
    }
