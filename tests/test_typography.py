"""French typography: a narrow no-break space before « : ; ! ? » and inside guillemets, on every French
page an administrator can reach and in every workbook. One rule makes it (cartel.words.typography, applied
to the French catalogue); these tests look for what it would miss (a sign written outside a translated
string, a string left untranslated)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import openpyxl

from cartel.words.typography import NARROW_NBSP, french
from tests.helpers import login

# a sign that ends a word (followed by a space or the end of the text) without the narrow space before it
MISSING = re.compile(rf"(?<!{NARROW_NBSP})[:;!?](?=\s|$)|«(?!{NARROW_NBSP})|(?<!{NARROW_NBSP})»")
ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
UNREAD = (
    "script",
    "style",
    "code",
    "pre",
    "textarea",
)  # data as stored or typed (the audit trail's JSON, a source) is not French
SKIPPED = ("/logout", "/language/", "/static/", "/api/", "/embed/")
FILES = (".xlsx", ".csv", ".ics", ".json", ".js")


class Text(HTMLParser):
    """The text a reader sees (and hears) on a page, outside scripts and styles; the page's links."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNREAD:
            self._hidden += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.pieces.append(value)
            if name == "href" and tag == "a" and value:
                self.links.append(value)

    def handle_endtag(self, tag):
        if tag in UNREAD:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.pieces.append(data)


def faults(pieces: list[str]) -> list[str]:
    """The pieces of text that break the rule, each with the place of the fault marked."""
    found = []
    for piece in pieces:
        piece = " ".join(piece.split(" "))
        for match in MISSING.finditer(piece):
            start = max(0, match.start() - 30)
            found.append(
                piece[start : match.start()] + "⟨" + match.group(0) + "⟩" + piece[match.end() : match.end() + 10]
            )
    return found


def crawl(client, start: str = "/", limit: int = 250) -> tuple[dict[str, list[str]], int]:
    """Every page of this site reachable by links from ``start`` (GET only): the faults of each, and the
    number of pages read."""
    seen, queue, report, read = {start}, [start], {}, 0
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        read += 1
        parser = Text()
        parser.feed(response.get_data(as_text=True))
        if found := faults(parser.pieces):
            report[path] = found
        for href in parser.links:
            url = urlsplit(urljoin(path, href))
            target = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc or target in seen or url.path.startswith(SKIPPED) or url.path.endswith(FILES):
                continue
            if "lang=en" in url.query:
                continue
            seen.add(target)
            queue.append(target)
    return report, read


def test_the_rule():
    assert french("Provisoire: 8 disciplines") == f"Provisoire{NARROW_NBSP}: 8 disciplines"
    assert french("Titres : au moins 32 ; vraiment ? oui !") == (
        f"Titres{NARROW_NBSP}: au moins 32{NARROW_NBSP}; vraiment{NARROW_NBSP}? oui{NARROW_NBSP}!"
    )
    assert french("« finale »") == f"«{NARROW_NBSP}finale{NARROW_NBSP}»"
    for untouched in ("à 15:30", "https://bds.example.org", "/editions?lang=en", "1:02.35"):
        assert french(untouched) == untouched
    once = french("Note: « a » ; b ! c ?")
    assert french(once) == once


def test_every_french_page_an_administrator_reaches_follows_it(seeded, client, make_user):
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    report, read = crawl(client)
    assert not report, report
    assert read >= 40  # the history, each edition and school, the administrator's pages


def test_every_french_page_of_a_live_edition_follows_it(edition, client, make_user):
    """A live edition with a tie, a joint team and a penalty: entry pages, its ranking, its audit trail."""
    make_user("admin@example.org", role="admin")
    login(client, "admin@example.org")
    report, read = crawl(client)
    assert not report, report
    assert read >= 30


def test_every_french_workbook_follows_it(seeded, client):
    for path in ("/editions/2023/export.xlsx", "/records/export.xlsx", "/editions/2026/export.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        texts = [c.value for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert len(texts) > 20, path
        assert not faults(texts), (path, faults(texts))
