"""Hypothesis against the whole app: every route, anonymous, as an administrator and as an organiser
limited to one discipline, with made-up path values, query strings, forms and import files.
Never a 500; and an answer that refuses (4xx) leaves every table as it was: nothing half-saved."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartel.core.clock import utcnow
from cartel.extensions import db
from cartel.models import User
from cartel.write import backup
from tests.helpers import login

FUZZ = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
SKIPPED = {"static", "auth.logout"}  # logging out the fuzzer's own clients teaches nothing
INTERESTING = [
    *("", "0", "-1", "1", "2", "3", "4", "10", "2026", "2027", "1959", str(2**31), str(2**63), "9" * 30),
    *("1e5000", "-1e400", "NaN", "sNaN", "inf", "-2,5", "2.555", "0.001", "²", "٣", "１", " 7 ", "10 6 4 2"),
    *("final", "provisional", "in_progress", "pending", "planned", "live", "finished", "cancelled"),
    *("ales", "albi", "nancy", "douai", "handball-men", "football-women", "swimming-open", "chess"),
    *("on", "y", "true", "split", "shared", "before", "after", "admin", "organiser", "fr", "en", "de"),
    *("<script>alert(1)</script>", '=HYPERLINK("x")', "x" * 3000, "a\x00b", "\r\nSet-Cookie: x=1", "../../etc"),
]
VALUES = st.one_of(
    st.sampled_from(INTERESTING),
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
QUERY_KEYS = ["lang", "limit", "as_of", "next", "year", "version", "format", "page"]


def fields_of(page: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', page))


@pytest.fixture
def world(app, live, make_user):
    make_user("admin@example.org", role="admin")
    make_user("hand@example.org", disciplines=[live.hb])
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]
    clients = {"anonymous": app.test_client(), "admin": app.test_client(), "organiser": app.test_client()}
    login(clients["admin"], "admin@example.org")
    login(clients["organiser"], "hand@example.org")
    names = set()  # every form field the app renders, for the fuzzer to fill
    for rule in rules:
        if "GET" in rule.methods and not rule.arguments:
            names |= fields_of(clients["admin"].get(rule.rule).get_data().decode(errors="replace"))
    for slug in ("handball-men", "football-women"):
        names |= fields_of(clients["admin"].get(f"/saisie/{slug}").get_data(as_text=True))
    names |= {f"row-{k}-{part}" for k in (1, 2, 3, 4, 11) for part in ("school", "partners", "tied", "place")}
    names -= {"csrf_token"}
    return app, rules, clients, sorted(names)


def snapshot() -> dict:
    """Every table a backup holds (not the login throttle's counters: a refused login is meant to count)."""
    db.session.remove()
    return backup.dump(db.engine, utcnow())["tables"]


def keep_logged_in(clients) -> None:
    """The fuzzer may deactivate an account or change its password: put the account back and log in again."""
    for who, email in (("admin", "admin@example.org"), ("organiser", "hand@example.org")):
        if clients[who].get("/saisie/").status_code == 302:
            user = db.session.query(User).filter_by(email=email).one()
            user.active = True
            user.set_password("correct horse battery")
            db.session.commit()
            login(clients[who], email)


def path_value(converter: str):
    if converter == "IntegerConverter":
        return st.one_of(st.integers(0, 3000), st.sampled_from([2026, 1, 2**31 - 1, 2**31, 2**63, 10**30])).map(str)
    known = st.sampled_from(["ales", "handball-men", "swimming-open", "fr", "en", "x", "new"])
    return st.one_of(known, st.text(min_size=1, max_size=30)).map(lambda s: quote(s, safe=""))


@st.composite
def requests(draw, rules, names):
    rule = draw(st.sampled_from(rules))
    path = rule.rule
    for argument, converter in rule._converters.items():
        value = draw(path_value(type(converter).__name__))
        path = re.sub(rf"<(?:[a-z]+:)?{argument}>", value, path)
    method = draw(st.sampled_from(sorted(rule.methods & {"GET", "POST"})))
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=3))
    form = draw(st.dictionaries(st.sampled_from(names), st.lists(VALUES, min_size=1, max_size=3), max_size=10))
    who = draw(st.sampled_from(["anonymous", "admin", "organiser"]))
    return who, method, path, query, form


def test_no_request_gets_a_500_and_refusals_change_nothing(world):
    app, rules, clients, names = world

    @FUZZ
    @given(request=requests(rules, names))
    def check(request):
        who, method, path, query, form = request
        before = snapshot() if method == "POST" else None
        client = clients[who]
        if method == "GET":
            response = client.get(path, query_string=query)
        else:
            response = client.post(path, query_string=query, data=form)
        assert response.status_code < 500, (request, response.get_data(as_text=True)[-2000:])
        if before is not None and 400 <= response.status_code < 500:
            assert snapshot() == before, (request, response.status_code)
        keep_logged_in(clients)

    check()


def template_bytes(client) -> bytes:
    response = client.get("/saisie/import/template.xlsx")
    assert response.status_code == 200
    return response.data


CELL = st.one_of(
    st.none(),
    st.sampled_from(INTERESTING),
    st.integers(-5, 20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)


@st.composite
def uploads(draw, template: bytes):
    """A file to import: the real template with cells changed, a CSV of made-up cells, or bytes."""
    kind = draw(st.sampled_from(["template", "csv", "bytes"]))
    if kind == "bytes":
        return draw(st.sampled_from(["x.xlsx", "x.csv", "x.txt", ""])), draw(st.binary(max_size=2000))
    if kind == "csv":
        rows = draw(st.lists(st.lists(CELL, max_size=8), max_size=12))
        text = "\n".join(";".join("" if c is None else str(c).replace("\n", " ") for c in row) for row in rows)
        return "results.csv", text.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[draw(st.integers(0, len(book.worksheets) - 1))]
    for _ in range(draw(st.integers(1, 8))):
        row, column = draw(st.integers(1, sheet.max_row + 2)), draw(st.integers(1, sheet.max_column + 1))
        value = draw(CELL)
        if isinstance(value, str):
            value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)  # characters a cell cannot hold
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return "results.xlsx", out.getvalue()


def test_no_import_file_gets_a_500_and_a_refused_one_changes_nothing(world):
    _app, _rules, clients, _names = world
    template = template_bytes(clients["admin"])

    @FUZZ
    @given(upload=uploads(template), who=st.sampled_from(["admin", "organiser"]), apply=st.booleans())
    def check(upload, who, apply):
        name, data = upload
        before = snapshot()
        client = clients[who]
        response = client.post("/saisie/import", data={"file": (io.BytesIO(data), name)})
        assert response.status_code < 500, (name, response.get_data(as_text=True)[-2000:])
        assert snapshot() == before  # checking a file never writes
        token = re.search(r'name="changes" type="hidden" value="([^"]*)"', response.get_data(as_text=True))
        if apply and token:
            response = client.post("/saisie/import/apply", data={"changes": token.group(1)})
            assert response.status_code < 500
            if response.status_code >= 400:
                assert snapshot() == before
        keep_logged_in(clients)

    check()
