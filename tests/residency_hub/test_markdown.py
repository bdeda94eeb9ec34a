"""Staff- and submitter-written Markdown comes out harmless."""

import re

from residency_hub.factories import EventFactory
from residency_hub.models import ProgramSubmission

HOSTILE = (
    "Our **mission**.\n\n"
    "<script>alert('x')</script>\n\n"
    "[click me](javascript:alert(1))\n\n"
    '<img src=x onerror="alert(2)">\n\n'
    "[safe link](https://example.org/dei)"
)


def assert_harmless(content: str) -> None:
    """No live script, event handler or javascript: link; the text may still show."""
    assert "<script>alert" not in content
    assert not re.search(r"<[a-z][^<>]*\son[a-z]+\s*=", content, re.IGNORECASE)
    assert not re.search(
        r"(href|src)\s*=\s*[\"']?\s*javascript:", content, re.IGNORECASE
    )
    assert not re.search(r"<img\b", content, re.IGNORECASE)


def test_program_texts_are_rendered_safely(client, active_member, program):
    program.diversity_mission = HOSTILE
    program.dei_initiatives = HOSTILE
    program.applicant_tips = HOSTILE
    program.save()
    client.force_login(active_member)
    content = client.get(program.get_absolute_url()).content.decode()
    assert_harmless(content)
    assert "<strong>mission</strong>" in content
    assert 'href="https://example.org/dei"' in content
    assert "&lt;script&gt;" in content  # shown as text, not run


def test_event_description_is_rendered_safely(client, active_member, specialty):
    event = EventFactory(specialty=specialty, description=HOSTILE)
    client.force_login(active_member)
    content = client.get(event.get_absolute_url()).content.decode()
    assert_harmless(content)
    assert "<strong>mission</strong>" in content


def test_submitted_text_published_by_approval_stays_harmless(
    client, active_member, staff_user, specialty
):
    from residency_hub.factories import ProgramSubmissionFactory
    from residency_hub.services import program_submission_approve

    submission = ProgramSubmissionFactory(specialty=specialty, dei_initiatives=HOSTILE)
    program_submission_approve(submission=submission, by=staff_user)
    submission.refresh_from_db()
    assert submission.status == ProgramSubmission.Status.APPROVED
    client.force_login(active_member)
    content = client.get(submission.program.get_absolute_url()).content.decode()
    assert_harmless(content)
