"""The entry forms checked directly (form.validate()) on posts as the entry page sends them: one row
per place, each kept at its number, schools among the participants, refusals in the podium's words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from cartel.core import podium
from cartel.web.entry.forms import VersionForm, entry_form

SCHOOLS = [SimpleNamespace(slug=slug, short_name=slug.upper()) for slug in ("albi", "ales", "douai", "nancy")]
NAMES = {"albi": "IMT Mines Albi", "ales": "IMT Mines Alès", "douai": "IMT Nord Europe", "nancy": "Mines Nancy"}
BASE = {"version": "0", "state": "final", "submission_id": "s"}


def post(app, data: dict, size: int = 4):
    """The entry form as it reads ``data`` posted; whether it is valid; what it says next to each row."""
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = entry_form(SCHOOLS, size)
        valid = form.validate()
        return form, valid, form.row_problems(NAMES)


def test_a_row_left_out_of_the_post_stays_empty_at_its_place(app):
    form, valid, said = post(app, BASE | {"row-1-school": "ales", "row-3-school": "nancy"})
    assert form.podium_rows() == [podium.Row(("ales",)), podium.Row(), podium.Row(("nancy",)), podium.Row()]
    assert not valid
    assert said == {2: ["Cette place est vide alors qu'une place suivante est remplie."]}


def test_schools_outside_the_participants_are_refused_once_next_to_their_row(app):
    data = BASE | {"row-1-school": "ales", "row-1-partners": ["nancy", "zz"], "row-2-school": "eurecom"}
    form, valid, said = post(app, data)
    assert not valid
    assert said == {
        1: ["zz ne participe pas à cette édition."],
        2: ["eurecom ne participe pas à cette édition."],
    }


def test_partners_go_with_their_rows_school_and_ex_aequo_with_the_row_above(app):
    data = BASE | {
        "row-1-school": "ales",
        "row-1-partners": ["", "ales", "albi"],  # the row's own school is not its partner
        "row-2-school": "nancy",
        "row-2-tied": "on",
        "row-3-school": "",
        "row-3-partners": ["douai"],  # a partner without a school: an empty row
    }
    form, valid, said = post(app, data)
    assert form.podium_rows() == [
        podium.Row(("ales", "albi")),
        podium.Row(("nancy",), tied_with_above=True),
        podium.Row(),
        podium.Row(),
    ]
    assert valid and said == {}


@pytest.mark.parametrize("state", [None, "", "pending", "in_progress", "maybe"])
def test_the_state_is_provisional_or_final(app, state):
    data = {k: v for k, v in BASE.items() if k != "state"} | {"row-1-school": "ales"}
    if state is not None:
        data["state"] = state
    form, valid, said = post(app, data)
    assert not valid and said == {None: ["Choisissez provisoire ou définitif."]}
    for chosen in ("provisional", "final"):
        assert post(app, data | {"state": chosen})[1]


@pytest.mark.parametrize(
    "version, valid",
    [
        ("0", True),
        ("999999999", True),
        ("", False),
        ("abc", False),
        ("-1", False),
        ("1000000000", False),
        ("9" * 30, False),
        (None, False),
    ],
)
def test_a_version_is_a_whole_number_of_nine_digits_at_most(app, version, valid):
    data = {"submission_id": "s"} if version is None else {"version": version}
    with app.test_request_context(method="POST", data=data):
        form = VersionForm()
        assert form.validate() is valid
        assert bool(form.version.errors) is not valid
        if valid:
            assert form.version.data == int(version)


def test_a_submission_id_is_cut_to_what_the_database_keeps(app):
    with app.test_request_context(method="POST", data={"version": "1", "submission_id": "x" * 100}):
        assert VersionForm().submission_id.data == "x" * 64
    with app.test_request_context(method="POST", data={"version": "1", "submission_id": ""}):
        assert VersionForm().submission_id.data is None


ROWS = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from([s.slug for s in SCHOOLS])),
        st.lists(st.sampled_from([s.slug for s in SCHOOLS]), unique=True, max_size=2),
        st.booleans(),
    ),
    min_size=2,
    max_size=6,
)


def test_the_page_posts_back_the_rows_it_shows(app):
    """A result shown on the form (its rows as data) and posted as the browser sends it (each row's
    radio, its ticked partners, its tie box from row 2) reads back as the same podium rows."""

    @settings(max_examples=150, deadline=None)
    @given(typed=ROWS)
    def check(typed):
        rows = [
            podium.Row((main, *[p for p in partners if p != main]) if main else (), tied_with_above=k > 1 and tied)
            for k, (main, partners, tied) in enumerate(typed, start=1)
        ]
        with app.test_request_context():
            shown = entry_form(SCHOOLS, len(rows), rows=rows)
            assert shown.podium_rows() == rows
        data = MultiDict(BASE)
        for k, row in enumerate(rows, start=1):
            data.add(f"row-{k}-school", row.schools[0] if row.schools else "")
            for partner in row.schools[1:]:
                data.add(f"row-{k}-partners", partner)
            if row.tied_with_above:
                data.add(f"row-{k}-tied", "on")
        form, valid, said = post(app, data, size=len(rows))
        assert form.podium_rows() == rows
        problems = podium.check_rows(rows, set(NAMES), edition_live=True, in_programme=True)
        assert valid is not bool(problems) and bool(said) is bool(problems)

    check()
