"""Pictures of the charts and of the demo's edition page for the README, taken by Debian's Chromium
at a phone's width (390 px).

The ranking bars and the race come from the demo edition (fictional teams, every write of the demo
script performed), the school history and the titles from the real seeded history.
Usage: .venv/bin/python scripts/chart-pictures.py [OUTPUT_DIR]   (default: docs/)
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cartel import create_app  # noqa: E402
from cartel.commands import demo  # noqa: E402
from cartel.extensions import db  # noqa: E402
from cartel.models import AuditEntry  # noqa: E402
from cartel.write.seeding import load_seeds  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def shoot(page, url: str, selector: str, out: Path) -> None:
    page.goto(url)
    page.locator(selector).first.scroll_into_view_if_needed()
    page.locator(selector).first.screenshot(path=str(out))
    print("wrote", out)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        demo_app, _password = demo.prepare(Path(tmp) / "demo.sqlite3", f"sqlite:///{tmp}/none.sqlite3", create_app)
        with demo_app.app_context():
            for _message in demo.simulate():
                pass
            # the script ran in a second: spread its writes over an event day, 20 minutes apart, so that
            # the race's time axis reads as it would (the demo database only; nothing else changes)
            entries = db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.entity.in_(("result", "adjustment"))).order_by(AuditEntry.id)
            ).all()
            start = dt.datetime(2099, 4, 16, 7, 0)  # 09:00 in Paris (times are stored in UTC)
            for k, entry in enumerate(entries):
                entry.at = start + dt.timedelta(minutes=20 * k)
            db.session.commit()
        real = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/seeded.sqlite3"})
        with real.app_context():
            upgrade()
            load_seeds(ROOT / "seeds")
        demo_server, demo_base = serve(demo_app)
        real_server, real_base = serve(real)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
                page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                edition = f"{demo_base}/editions/{demo.YEAR}"
                page.goto(edition)
                page.screenshot(path=str(out / "demo.png"))  # the demo's edition page, banner at the top
                print("wrote", out / "demo.png")
                shoot(page, edition, "figure.chart:has(svg.chart-bar)", out / "chart-ranking.png")
                shoot(page, edition, "figure.chart:has(svg.chart-race)", out / "chart-race.png")
                shoot(page, f"{real_base}/schools/imt-mines-ales", "figure.chart", out / "chart-school.png")
                shoot(page, f"{real_base}/records", "figure.chart", out / "chart-titles.png")
                browser.close()
        finally:
            demo_server.shutdown()
            real_server.shutdown()


if __name__ == "__main__":
    main()
