"""Print how long the build takes to read one leaflet in each format, and a long PDF.

Usage: ``python benchmarks/bench_formats.py [--repeat 5]``. The leaflets are the Markdown files in
``tests/data/`` written out as PDF, Word and HTML by ``tests/formats.py`` (fpdf2 from
requirements-dev.txt); "long PDF" is the genicular leaflet repeated 20 times (about 20 pages).
Not a test: figures for the README.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from formats import write_docx, write_html, write_pdf  # noqa: E402

from chatbot.documents import read_document  # noqa: E402


def _median_ms(path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read_document(path)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    markdown = (ROOT / "tests" / "data" / "genicular-nerve-block.md").read_text("utf-8")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        files = {
            "Markdown": out / "leaflet.md",
            "PDF": write_pdf(markdown, out / "leaflet.pdf"),
            "Word": write_docx(markdown, out / "leaflet.docx"),
            "HTML": write_html(markdown, out / "leaflet.html"),
        }
        files["Markdown"].write_text(markdown, "utf-8")
        body = markdown.split("\n", 1)[1]
        long_text = markdown + "\n".join(body.replace("## ", f"## Part {k}: ") for k in range(2, 21))
        files["long PDF (20 leaflets)"] = write_pdf(long_text, out / "long.pdf")
        for name, path in files.items():
            read_document(path)  # first read imports the library
            print(f"{name:>24}: {_median_ms(path, args.repeat):7.1f} ms  ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
