"""Benchmark (issue 16, finding 5): what one download of a restricted attachment costs.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/watermark.py``). It builds a
throw-away SQLite database in a temporary folder, files one report per attachment at the caps of
``kenes/security/uploads.py`` and times ``pdf.attachment_pdf`` for each (the cache cleared first),
then a second download by the same reader (from the cache). For the PDFs it also times the former
way, a fresh overlay with its own embedded font for every page, on the same file. Exits 1 when a
download at the caps takes longer than ``--budget`` seconds.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import load_data, setup_django

BENCH_URLCONF = "kenes_bench_urls"
EMAIL = "security.kg@demo.kenes.invalid"


def _pdf(pages: int, *, distinct_sizes: bool = False) -> bytes:
    from fpdf import FPDF

    doc = FPDF(unit="pt")
    for number in range(pages):
        doc.add_page(format=(300 + number, 400 + number) if distinct_sizes else (595.28, 841.89))
        doc.set_font("helvetica", size=12)
        doc.cell(0, 20, f"Original page {number + 1}")
    return bytes(doc.output())


def _png(side: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((side, side)).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _per_page_overlay(original: bytes, line: str) -> bytes:
    """The former ``watermark_pdf``: an fpdf2 overlay, font embedded, for each page."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    from kenes.security.pdf import RED
    from kenes.texts.pdf import FONT, font_files

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(original)))
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay = FPDF(unit="pt", format=(width, height))
        overlay.add_font(FONT, "", font_files()[""])
        overlay.add_page()
        overlay.set_font(FONT, "", 9)
        overlay.set_text_color(*RED)
        for y in (12, height / 2, height - 24):
            overlay.set_xy(0, y)
            overlay.cell(width, 12, line, align="C")
        page.merge_page(PdfReader(io.BytesIO(bytes(overlay.output()))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _timed(call: Callable[[], bytes]) -> tuple[float, int]:
    started = time.perf_counter()
    size = len(call())
    return (time.perf_counter() - started) * 1000, size


def _report(name: str, data: bytes) -> Any:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from kenes.security import actions
    from kenes.states.models import State

    states = {s.iso2: s for s in State.objects.filter(iso2__in=["KG", "UZ"])}
    return actions.file_report(
        "bench",
        title="BENCH watermark (fictional)",
        category="other",
        severity=1,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        summary="Fictional.",
        distribution=[states["UZ"]],
        author_state=states["KG"],
        attachment=SimpleUploadedFile(name, data),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds a download at the caps may take")
    parser.add_argument("--skip-before", action="store_true", help="do not time the former per-page overlay")
    args, _unknown = parser.parse_known_args()

    with tempfile.TemporaryDirectory(prefix="kenes-bench-") as tmp:
        setup_django(Path(tmp), BENCH_URLCONF)
        from django.conf import settings

        settings.MEDIA_ROOT = Path(tmp) / "media"
        load_data()
        from django.core.cache import cache

        from kenes.security import pdf, uploads
        from kenes.texts.pdf import font_files

        font_files()  # cut once per installation; not part of a download
        cases = [
            ("1 page.pdf", _pdf(1)),
            ("50 pages.pdf", _pdf(50)),
            (f"{uploads.MAX_PDF_PAGES} pages.pdf", _pdf(uploads.MAX_PDF_PAGES)),
            (f"{uploads.MAX_PDF_PAGES} sizes.pdf", _pdf(uploads.MAX_PDF_PAGES, distinct_sizes=True)),
            ("max chars.txt", ("Fictional text of the bench. " * 7000)[: uploads.MAX_TEXT_CHARS].encode()),
            ("max lines.txt", b"line\n" * (uploads.MAX_TEXT_LINES - 1)),
            ("25 Mpx.png", _png(5000)),
        ]
        slow: list[str] = []
        print(f"{'attachment':<18}{'bytes in':>10}{'ms':>9}{'bytes out':>11}{'cached ms':>11}{'before ms':>11}")
        for name, data in cases:
            report = _report(name, data)
            cache.clear()
            ms, out = _timed(lambda r=report, d=data: pdf.attachment_pdf(r, d, email=EMAIL))
            again, _size = _timed(lambda r=report, d=data: pdf.attachment_pdf(r, d, email=EMAIL))
            before = f"{'-':>11}"
            if name.endswith(".pdf") and not args.skip_before:
                line = pdf._stamp_line(report, EMAIL)
                before = f"{_timed(lambda d=data, ln=line: _per_page_overlay(d, ln))[0]:>11.0f}"
            print(f"{name:<18}{len(data):>10}{ms:>9.0f}{out:>11}{again:>11.0f}{before}")
            if ms > args.budget * 1000:
                slow.append(name)
        if slow:
            print(f"FAIL: over {args.budget:.0f} s per download: {', '.join(slow)}")
            return 1
        print(f"OK: every download at the caps within {args.budget:.0f} s")
        return 0


if __name__ == "__main__":
    sys.exit(main())
