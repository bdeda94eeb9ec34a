"""Staff-written Markdown rendered to safe HTML (markdown-it-py + nh3)."""

from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML with only safe tags, attributes and http(s)/mailto links."""
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


class _TextExtractor(HTMLParser):
    """Sanitised HTML to readable plain text (links keep their address)."""

    BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n----------\n\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href != text:
                self.parts.append(f" ({self.href})")
            self.href = None
        elif tag in self.BLOCKS or tag in ("ul", "ol"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not data.strip() and "\n" in data:
            return  # the line breaks between tags, not text (list items stay tight)
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.parts).splitlines()]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip() + "\n"


def html_to_text(html: str) -> str:
    """Plain text for an email's text part or a calendar's DESCRIPTION."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


def markdown_to_text(text: str) -> str:
    """Staff-written Markdown as plain text: no asterisks, links with their address."""
    return html_to_text(render_markdown(text)).strip()
