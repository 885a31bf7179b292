"""Server time of each public page on the seeded history and on 60 synthetic editions.

Usage: .venv/bin/python bench/pages.py [--editions 60] [--repeat 30]
Prints, per page (in-process test client, SQLite file), the median time of the first request after a
change (everything computed: the app's stored pages and rankings are dropped before each request) and
the median and 95th percentile of the requests that follow (served from what was computed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, fill, migrated_app, percentile, sqlite_url
from cartel.write.seeding import load_seeds
from tests.synthetic import add_synthetic_history

PAGES = ["/", "/editions", "/editions/{year}", "/schools/{school}", "/records"]


def measure(client, url: str, repeat: int, cold: bool = False) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        if cold:
            client.application.extensions["cartel_cache"].clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return percentile(times, 0.5), percentile(times, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--editions", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, label, year, school in [
            ("seeded", lambda: load_seeds(ROOT / "seeds"), "seeded history", 2023, "imt-mines-ales"),
            (
                "synthetic",
                lambda: add_synthetic_history(editions=args.editions, disciplines=25),
                f"{args.editions} synthetic editions x 25 disciplines x 12 schools",
                1900 + args.editions - 1,
                "synthetic-3",
            ),
        ]:
            with migrated_app(sqlite_url(Path(tmp) / f"{name}.sqlite3")) as app:
                fill(app, data)
                report(app.test_client(), label, year, school, args.repeat)


def report(client, label, year, school, repeat):
    print(f"\n{label}: server time, ms ({repeat} requests each)")
    print(f"  {'page':32} {'computed':>9} {'stored':>7} {'p95':>7}   size")
    for page in PAGES:
        url = page.format(year=year, school=school)
        computed, _ = measure(client, url, max(3, repeat // 5), cold=True)
        median, p95 = measure(client, url, repeat)
        size = len(client.get(url).get_data())
        print(f"  {url:32} {computed:9.1f} {median:7.1f} {p95:7.1f}   {size / 1024:5.1f} KB")


if __name__ == "__main__":
    main()
