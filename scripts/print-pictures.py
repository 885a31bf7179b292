"""Pictures of printed workbook pages for the README: the demo edition's workbook (fictional teams,
every write of the demo script performed) printed to PDF by LibreOffice, as a printer would get it,
then pages drawn to PNG by PDFium.

Usage: .venv/bin/pip install -e '.[docs]' && .venv/bin/python scripts/print-pictures.py [OUTPUT_DIR]
(default: docs/). Needs LibreOffice (`scripts/apt-install soffice libreoffice-calc-nogui`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cartel import create_app  # noqa: E402
from cartel.commands import demo  # noqa: E402

# which page of which sheet: the second page across of the results (its first column and header
# repeated, the title block in the page's header), and the first of the matches (long scores wrapped)
PICTURES = {"print-results.png": ("Résultats", 2), "print-matches.png": ("Matchs", 1)}


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        sys.exit("LibreOffice is missing: scripts/apt-install soffice libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        app, _password = demo.prepare(Path(tmp) / "demo.sqlite3", f"sqlite:///{tmp}/none.sqlite3", create_app)
        with app.app_context():
            for _message in demo.simulate():
                pass
        xlsx = Path(tmp) / "cartel.xlsx"
        xlsx.write_bytes(app.test_client().get(f"/editions/{demo.YEAR}/export.xlsx").get_data())
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile"]
            + ["--convert-to", "pdf", "--outdir", tmp, str(xlsx)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pdf = pdfium.PdfDocument(xlsx.with_suffix(".pdf"))
        for name, (sheet, nth) in PICTURES.items():
            pages = [page for page in pdf if f" {sheet} " in " ".join(page.get_textpage().get_text_range().split())]
            pages[nth - 1].render(scale=1.5).to_pil().save(out / name)  # 1263 × 893 px: A4 landscape
            print("wrote", out / name)


if __name__ == "__main__":
    main()
