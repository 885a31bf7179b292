"""Each public page makes a fixed number of SQL queries, whatever the size of the history: a few
to compute it after a change, then one (its revision) for every request until the next change."""

import pytest
import sqlalchemy as sa

from cartel.extensions import db
from cartel.models import Edition, Placement
from cartel.read import published, revisions, standings
from cartel.write.audit import bump_revisions
from tests.helpers import QueryCounter, login
from tests.synthetic import add_synthetic_history

CEILING = 10
PAGES = [
    "/",
    "/editions",
    "/editions/{year}",
    "/schools",
    "/schools/{school}",
    "/records",
    "/records?as_of={year}",
    "/live",
    "/editions/{year}/live",
]


def page_queries(client, year, school, *, cold=True):
    """Queries per page; ``cold``: as the first request after a change (nothing computed yet)."""
    counts = {}
    for page in PAGES:
        url = page.format(year=year, school=school)
        if cold:
            client.application.extensions["cartel_cache"].clear()
        with QueryCounter(db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = counter.count
    return counts


def changed_everything():
    """What any public write does: the next request of every page computes again."""
    bump_revisions(None)
    db.session.commit()
    db.session.remove()


@pytest.mark.parametrize("editions", [3, 60])
def test_public_pages_stay_under_the_query_ceiling(app, client, editions):
    add_synthetic_history(editions=editions, disciplines=25)
    db.session.remove()
    counts = page_queries(client, year=1900 + editions - 1, school="synthetic-3")
    assert max(counts.values()) <= CEILING, counts


def test_query_count_does_not_grow_with_history(app, client):
    add_synthetic_history(editions=3, disciplines=25)
    db.session.remove()
    small = page_queries(client, year=1902, school="synthetic-3")
    add_synthetic_history(editions=57, disciplines=25, first_year=2000, seed=2)
    changed_everything()
    large = page_queries(client, year=1902, school="synthetic-3")
    assert small == large


def test_an_unchanged_page_costs_one_query(app, client):
    """Until the next change, every page is served from what was computed: one query, its revision."""
    add_synthetic_history(editions=60, disciplines=25)
    db.session.remove()
    page_queries(client, year=1959, school="synthetic-3", cold=False)
    assert page_queries(client, year=1959, school="synthetic-3", cold=False) == dict.fromkeys(PAGES, 1)
    client.set_cookie("cartel_lang", "en")  # the other language: rendered once, from the same ranking
    page_queries(client, year=1959, school="synthetic-3", cold=False)
    assert page_queries(client, year=1959, school="synthetic-3", cold=False) == dict.fromkeys(PAGES, 1)


def test_logged_in_organisers_stay_under_the_ceiling_too(app, client, make_user):

    add_synthetic_history(editions=60, disciplines=25)
    make_user("orga@example.org")
    login(client, "orga@example.org")
    db.session.remove()
    counts = page_queries(client, year=1959, school="synthetic-3")
    assert max(counts.values()) <= CEILING, counts


def test_a_change_in_one_edition_loads_and_ranks_that_edition_alone(app, client, monkeypatch):
    """A save in one edition of a long history: the history pages load and rank that edition again,
    reuse the other 59 as computed, and show what a computation from scratch shows."""
    add_synthetic_history(editions=60, disciplines=25)
    db.session.remove()
    for page in ("/records", "/editions", "/schools/synthetic-3"):
        client.get(page)
    loaded, ranked = [], []
    real_load, real_build = standings.load_details, published.build_standing

    def load(editions, session):
        loaded.extend(e.year for e in editions)
        return real_load(editions, session)

    def build(data, schools):
        ranked.append(data.edition.year)
        return real_build(data, schools)

    monkeypatch.setattr(standings, "load_details", load)
    monkeypatch.setattr(published, "build_standing", build)
    # 1930's winner and runner-up swap places in its first discipline: its ranking changes
    edition = db.session.scalar(sa.select(Edition).where(Edition.year == 1930))
    first, second = db.session.scalars(
        sa.select(Placement)
        .where(Placement.edition_id == edition.id, Placement.place.in_((1, 2)))
        .order_by(Placement.discipline_id, Placement.place)
        .limit(2)
    )
    first.place, second.place = 2, 1
    bump_revisions(edition.id)
    db.session.commit()
    db.session.remove()

    for page in ("/records", "/editions", "/schools/synthetic-3", "/api/records"):
        assert client.get(page).status_code == 200, page
    assert (loaded, ranked) == ([1930], [1930])
    revision = revisions.history_revision()
    assert published.history(revision).records() == standings.load_history().records()
