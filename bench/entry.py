"""Server time of a podium save (POST, validation, versioned write, audit, redirect) and of the
confirmation page (points gained and new general ranking), on SQLite.

Usage: .venv/bin/python bench/entry.py [--saves 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from cartel import create_app  # noqa: E402
from cartel.extensions import db  # noqa: E402
from cartel.models import (  # noqa: E402
    Category,
    Discipline,
    Edition,
    EditionStatus,
    Participation,
    PointsScheme,
    ProgrammeEntry,
    Role,
    School,
    Sport,
    User,
)


def setup() -> list[str]:
    schools = [
        School(slug=f"school-{i}", name=f"Synthetic School {i}", short_name=f"S{i}", country="FR") for i in range(12)
    ]
    disciplines = []
    for i in range(20):
        sport = Sport(slug=f"sport-{i}", name_fr=f"Sport {i}", name_en=f"Sport {i}")
        disciplines.append(Discipline(slug=f"sport-{i}", sport=sport, category=Category.OPEN))
    edition = Edition(year=2026, number=51, status=EditionStatus.LIVE)
    edition.participations = [Participation(school=s) for s in schools]
    edition.programme = [ProgrammeEntry(discipline=d, weight=Decimal(1), version=0) for d in disciplines]
    edition.scheme = PointsScheme(place_points=[12, 9, 7, 5, 4, 3, 2, 1], tie_rule="split", tie_breaks=[1, 2, 3])
    user = User(email="bench@example.org", role=Role.ORGANISER)
    user.set_password("bench password")
    db.session.add_all([*schools, edition, user])
    db.session.commit()
    return [d.slug for d in disciplines]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            slugs = setup()
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": "bench password"})
        versions = dict.fromkeys(slugs, 0)
        save_times, page_times = [], []
        for n in range(args.saves):
            slug = slugs[n % len(slugs)]
            order = [(n + k) % 12 for k in range(4)]
            data = {
                "state": "final",
                "version": str(versions[slug]),
                "submission_id": f"bench-{n}",
                **{f"row-{k + 1}-school": f"school-{s}" for k, s in enumerate(order)},
            }
            if n % 3 == 0:
                data["row-4-tied"] = "on"  # a shared 3rd place now and then
            start = time.perf_counter()
            response = client.post(f"/saisie/{slug}", data=data)
            save_times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 303, response.status_code
            versions[slug] += 1
            start = time.perf_counter()
            assert client.get(response.headers["Location"]).status_code == 200
            page_times.append((time.perf_counter() - start) * 1000)
        with app.app_context():
            db.engine.dispose()
    for label, times in [("save (POST)", save_times), ("confirmation page (GET)", page_times)]:
        times.sort()
        print(
            f"{label:26} median {statistics.median(times):6.1f} ms   p95 {times[int(0.95 * (len(times) - 1))]:6.1f} ms"
            f"   ({len(times)} requests, 12 schools, 20 disciplines)"
        )


if __name__ == "__main__":
    main()
