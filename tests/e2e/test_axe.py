"""The axe-core check every journey relies on reports what it should: a page
with a WCAG failure fails it, the same page mended passes."""

import pytest

from tests.e2e.conftest import AXE_TAGS, Journey, axe_violations

PAGE = """<!doctype html><html lang="en"><head><title>Check</title></head>
<body><main><h1>Check</h1>{image}<a href="/next/">Next</a></main></body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_a_wcag_failure_fails_the_check_and_names_the_element(page):
    page.set_content(PAGE.format(image='<img id="photo" src="data:,">'))
    violations = axe_violations(page, {"type": "tag", "values": AXE_TAGS})
    assert [v["id"] for v in violations] == ["image-alt"]
    assert violations[0]["nodes"] == [["#photo"]]
    with pytest.raises(AssertionError, match="image-alt"):
        Journey(page, "").check_accessibility()


def test_the_mended_page_passes(page):
    page.set_content(PAGE.format(image='<img id="photo" src="data:," alt="Team">'))
    assert axe_violations(page, {"type": "tag", "values": AXE_TAGS}) == []
    Journey(page, "").check_accessibility()
