"""Turn the HTML of post bodies (Mastodon, HN, feeds) into plain text and links."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BREAKS = {"p", "br", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "tr"}


@dataclass
class HtmlText:
    """Plain text of an HTML fragment and the links in it (mentions and tags left out)."""

    text: str
    links: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in _BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
        if tag == "a":
            values = dict(attrs)
            classes = (values.get("class") or "").split()
            href = values.get("href")
            # Mastodon marks mention and hashtag anchors; those are not outbound links.
            if href and not {"mention", "hashtag"} & set(classes) and values.get("rel") != "tag":
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "p":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str | None) -> HtmlText:
    """Return the plain text and outbound links of an HTML fragment.

    >>> html_to_text('<p>Hi <a href="https://x.example">x</a></p>').text
    'Hi x'
    """
    if not fragment:
        return HtmlText("")
    if "<" not in fragment:
        return HtmlText(html.unescape(fragment).strip())
    parser = _Collector()
    parser.feed(fragment)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    return HtmlText(text, list(dict.fromkeys(parser.links)))
