"""Server time of a podium save (POST, validation, versioned write, audit, redirect) and of the
confirmation page (points gained and new general ranking), on SQLite.

Usage: .venv/bin/python bench/entry.py [--saves 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    PASSWORD,
    SCHOOLS,
    add_live_edition,
    fill,
    migrated_app,
    organiser_email,
    percentile,
    sqlite_url,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        migrated_app(sqlite_url(Path(tmp) / "bench.sqlite3"), WTF_CSRF_ENABLED=False) as app,
    ):
        slugs = fill(app, add_live_edition)
        client = app.test_client()
        client.post("/login", data={"email": organiser_email(0), "password": PASSWORD})
        versions = dict.fromkeys(slugs, 0)
        save_times, page_times = [], []
        for n in range(args.saves):
            slug = slugs[n % len(slugs)]
            order = [(n + k) % len(SCHOOLS) for k in range(4)]
            data = {
                "state": "final",
                "version": str(versions[slug]),
                "submission_id": f"bench-{n}",
                **{f"row-{k + 1}-school": SCHOOLS[s] for k, s in enumerate(order)},
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
    for label, times in [("save (POST)", save_times), ("confirmation page (GET)", page_times)]:
        print(
            f"{label:26} median {percentile(times, 0.5):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms"
            f"   ({len(times)} requests, {len(SCHOOLS)} schools, {len(slugs)} disciplines)"
        )


if __name__ == "__main__":
    main()
