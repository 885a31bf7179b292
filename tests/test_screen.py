"""The venue's big screen (/editions/<year>/screen): its panels hold the standing's numbers, and it is served
once per revision with ETags like the live pages. In a real Chromium: tests/browser/test_screen_browser.py."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from cartel.core import podium
from cartel.core.scoring import format_points
from cartel.extensions import db
from cartel.models import Edition, ProgrammeEntry, ResultState
from cartel.write.audit import Actor
from cartel.write.results import confirm_result, save_result
from tests.helpers import login, view_of

SCREEN, FRAGMENT = "/editions/2026/screen", "/editions/2026/screen/live?lang=fr"


def panels(body: str) -> dict[str, str]:
    """Each panel's markup by its data-panel name."""
    return dict(re.findall(r'<section class="panel[^"]*" data-panel="([a-z]+)"(.*?)</section>', body, re.S))


def ranking_rows(panel: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr data-school="([^"]*)" data-rank="([^"]*)" data-points="([^"]*)"', panel)


def shown(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def stand(panel: str) -> list[tuple[str, str]]:
    """(place, team) on a podium panel, teams as their slugs joined by spaces."""
    steps = re.findall(r'data-place="(\d+)">(.*?)</li>', panel, re.S)
    return [(place, team) for place, body in steps for team in re.findall(r'data-team="([^"]*)"', body)]


def save(live, discipline, *teams: str, state: str = "final") -> None:
    """Places 1, 2, 3... for the teams given ("a" or "a+b" for a joint team)."""
    db.session.expire_all()
    edition = db.session.get(Edition, live.edition.id)
    entry = next(e for e in edition.programme if e.discipline_id == discipline.id)
    save_result(
        edition,
        entry,
        [podium.Team(k, tuple(t.split("+"))) for k, t in enumerate(teams, start=1)],
        ResultState(state),
        Actor(),
        expected_version=entry.version,
        submission_key=None,
    )


# --- served like the live pages ---------------------------------------------------------------------


def test_screen_and_fragment_carry_the_etag_of_the_revision_and_answer_304(live, client):
    page = client.get(SCREEN)
    assert page.status_code == 200 and page.mimetype == "text/html"
    tag = page.headers["ETag"]
    assert page.headers["Cache-Control"] == "public, max-age=2" and page.headers["Vary"] == "Cookie"
    body = page.get_data(as_text=True)
    assert f'data-live="{FRAGMENT}"' in body and f'data-etag="{tag.replace(chr(34), "&#34;")}"' in body
    assert 'data-interval="10"' in body and 'data-rotate="10"' in body
    assert client.get(SCREEN, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(FRAGMENT, headers={"If-None-Match": tag}).status_code == 304
    fragment = client.get(FRAGMENT)
    assert fragment.status_code == 200 and fragment.headers["ETag"] == tag
    assert "<html" not in fragment.get_data(as_text=True) and 'data-panel="ranking"' in fragment.get_data(as_text=True)
    assert tag != client.get("/editions/2026").headers["ETag"]  # its own representation

    save(live, live.hb, "ales", "albi", "nancy")
    again = client.get(FRAGMENT, headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] != tag
    assert client.get(SCREEN, headers={"If-None-Match": tag}).status_code == 200
    assert client.get(SCREEN).headers["ETag"] == again.headers["ETag"]
    assert client.get(FRAGMENT, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_the_screen_is_the_same_for_everyone_logged_in_or_not(live, client, make_user):
    anonymous = client.get(SCREEN)
    make_user("orga@example.org")
    login(client, "orga@example.org")
    organiser = client.get(SCREEN)
    assert organiser.headers["ETag"] == anonymous.headers["ETag"]
    assert organiser.get_data() == anonymous.get_data() and "Se déconnecter" not in organiser.get_data(as_text=True)


def test_unknown_years_are_404(live, client):
    for url in ["/editions/1899/screen", "/editions/1899/screen/live?lang=fr", "/editions/99999999999/screen"]:
        assert client.get(url).status_code == 404, url


# --- the numbers ------------------------------------------------------------------------------------


def test_panels_hold_the_ranking_the_medals_and_the_podiums(edition, client):
    """The edition fixture: a 3-way tie for 1st (split rule), a joint team, a penalty, a school named like
    a formula; handball final, then football provisional (the latest result, not a final one)."""
    body = client.get(FRAGMENT).get_data(as_text=True)
    view, found = view_of(), panels(body)
    assert list(found) == ["ranking", "latest", "medals", "podium", "race", "new"]

    rows = ranking_rows(found["ranking"])
    expected = [(r.school.slug, str(r.rank), str(r.points)) for r in view.standing.rows]
    assert rows == expected and len(rows) == 4
    for row in view.standing.rows:  # the points as the pages write them
        cells = re.search(rf'data-school="{row.school.slug}".*?class="num points">([^<]*)<', found["ranking"], re.S)
        assert cells.group(1) == format_points(row.points).replace(".", ",")  # in French: 12,67
    assert "Provisoire · résultats définitifs : 1/3" in shown(found["ranking"])

    medals = re.findall(r'<tr data-school="([^"]*)" data-medals="([^"]*)"', found["medals"])
    by_school = {r.school.slug: " ".join(map(str, r.medals)) for r in view.standing.rows}
    assert dict(medals) == by_school
    for slug, counts in medals:  # the cells say what the attribute says
        row = re.search(rf'data-school="{slug}" data-medals.*?</tr>', found["medals"], re.S).group(0)
        assert re.findall(r'<td class="num">(\d+)</td>', row) == counts.split()
    order = [tuple(map(int, m.split())) for _, m in medals]
    assert order == sorted(order, reverse=True)  # most golds first, then silvers, then bronzes
    assert re.findall(r'<td class="rank">(\d+)</td>', found["medals"]) == ["1", "2", "3", "3"]  # equal: same rank

    latest = re.findall(r'<li data-discipline="([^"]*)"', found["latest"])
    assert latest == [p.entry.discipline.slug for p in view.latest] == ["football-women", "handball-men"]

    # the podium of the last finished discipline: handball (football is newer but provisional)
    assert 'data-discipline="handball-men"' in body.split('data-panel="podium"')[1].split(">")[0]
    assert stand(found["podium"]) == [("1", "ales"), ("1", "albi"), ("1", "nancy")]
    assert "Handball masculin" in shown(found["podium"])
    # the newest result, shown when it arrives: football, with its joint team
    assert stand(found["new"]) == [("1", "nancy evil"), ("2", "ales")]
    football = next(p for p in view.latest if p.entry.discipline.slug == "football-women").entry
    assert f'data-latest-key="{football.discipline_id}-{football.version}"' in body
    assert "Nouveau résultat" in shown(found["new"]) and "provisoire" in shown(found["new"])
    assert 'data-rotation="off"' in body.split('data-panel="new"')[1].split(">")[0]

    assert 'class="chart chart-race"' in found["race"] and 'data-school="ales" data-points="38/3"' in found["race"]
    assert '=HYPERLINK("http' not in body  # names from data are escaped


def test_the_podium_follows_the_most_recent_final_result(live, client):
    save(live, live.fb, "ales", "albi", "nancy")  # the programme lists handball before football
    save(live, live.hb, "nancy", "douai", "ales")
    save(live, live.swim, "albi", "ales", state="provisional")
    found = panels(client.get(FRAGMENT).get_data(as_text=True))
    assert stand(found["podium"]) == [("1", "nancy"), ("2", "douai"), ("3", "ales")]
    assert "Handball masculin" in shown(found["podium"]) and "Swimming" in shown(found["new"])

    db.session.expire_all()
    swim = db.session.scalar(
        sa.select(ProgrammeEntry).filter_by(edition_id=live.edition.id, discipline_id=live.swim.id)
    )
    confirm_result(
        db.session.get(Edition, live.edition.id),
        swim,
        Actor(),
        expected_version=swim.version,
        submission_key=None,
    )
    found = panels(client.get(FRAGMENT).get_data(as_text=True))
    assert "Swimming" in shown(found["podium"]) and stand(found["podium"]) == [("1", "albi"), ("2", "ales")]


def test_without_results_only_the_ranking_is_shown(live, client):
    """No latest results, no podium, no race, no medal table of zeros, and no ranking of zeros either
    (every school would share the 1st rank): the ranking's panel says why it is empty."""
    body = client.get(FRAGMENT).get_data(as_text=True)
    assert list(panels(body)) == ["ranking"] and 'data-latest-key=""' in body
    assert ranking_rows(body) == [] and view_of().standing.before_first_result
    assert "Aucun résultat pour l'instant" in shown(panels(body)["ranking"])


def test_a_past_edition_with_a_partial_official_standing(seeded, client):
    body = client.get("/editions/2023/screen").get_data(as_text=True)
    found = panels(body)
    assert list(found) == ["ranking", "medals"] and "Classement partiel" in shown(found["ranking"])
    assert ranking_rows(found["ranking"]) == [("imt-mines-ales", "1", "325")]
    assert 'data-medals="9 4 7"' in found["medals"]


# --- languages --------------------------------------------------------------------------------------


def test_french_by_default_english_on_request(edition, client):
    french = shown(client.get(SCREEN).get_data(as_text=True))
    for words in ["Classement général", "Derniers résultats", "Tableau des médailles", "Or", "Argent", "Bronze"]:
        assert words in french
    assert "Dernier résultat définitif" in french and "Nouveau résultat" in french and "Connexion perdue" in french

    english = client.get(SCREEN + "?lang=en").get_data(as_text=True)
    assert 'data-live="/editions/2026/screen/live?lang=en"' in english and '<html lang="en"' in english
    for words in ["General ranking", "Latest results", "Medal table", "Gold", "Last final result", "New result"]:
        assert words in shown(english)
    assert 'data-pager="{first}–{last} of {total}"' in english
    assert "Provisional · final results: 1/3" in shown(english)

    client.get("/language/en?next=/")  # the usual switch: a cookie
    assert 'data-live="/editions/2026/screen/live?lang=en"' in client.get(SCREEN).get_data(as_text=True)
    assert "Medal table" in shown(client.get("/editions/2026/screen/live?lang=en").get_data(as_text=True))
    assert "Tableau des médailles" in shown(client.get(FRAGMENT).get_data(as_text=True))  # the URL names it


def test_the_edition_page_links_to_its_big_screen(live, client):
    assert f'href="{SCREEN}">Grand écran pour la salle</a>' in client.get("/editions/2026").get_data(as_text=True)
