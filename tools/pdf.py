"""``make pdf``: the whole book as one PDF, printed by Debian chromium from the built HTML.

Chromium prints each page of the table of contents in order with the book's print stylesheet (no navigation,
figures kept whole, external links spelled out, each quiz as a worksheet: print.js renders it from the quiz's own
spec). The answers and rationales of every quiz move to an appendix at the end; a cover and a contents page with
the page numbers go in front; pypdf joins the parts and adds a bookmark for every part. Needs the built book
(``make book``), chromium and playwright (``make browser``) and pypdf (in requirements.txt).

    python tools/pdf.py [--html _build/html] [--out _build/pdf/her2-course.pdf]
"""

from __future__ import annotations

import argparse
import html
import io
import sys
from datetime import date
from pathlib import Path

from booktoc import toc_files
from localserve import serve

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}


def footer(text: str) -> str:
    return ('<div style="font-size:8px;width:100%;padding:0 14mm;color:#444;display:flex;'
            'justify-content:space-between;font-family:sans-serif">'
            f'<span>{html.escape(text)}</span><span>page <span class="pageNumber"></span> of '
            '<span class="totalPages"></span></span></div>')


def print_page(page, title: str) -> bytes:
    return page.pdf(format="A4", print_background=True, margin=MARGIN, display_header_footer=True,
                    header_template="<span></span>", footer_template=footer(title))


SHELL = """<!doctype html><html lang="en" data-theme="light" data-mode="light"><head>
<meta charset="utf-8"><base href="{base}"><title>{title}</title>{styles}
<style>body{{background:#fff;color:#000}} main{{padding:0 1rem;font-size:11pt;line-height:1.45}}
.her2-pdf-cover{{height:240mm;display:flex;flex-direction:column;justify-content:center;text-align:center}}
.her2-pdf-cover h1{{font-size:30pt;margin-bottom:1rem}} .her2-pdf-toc li{{display:flex;gap:.5rem}}
.her2-pdf-toc .dots{{flex:1;border-bottom:1px dotted #777;margin-bottom:.35em}}
.her2-pdf-toc ol{{list-style:none;padding:0}}
</style></head><body><main class="bd-article">{body}</main></body></html>"""


def shell(page, base: str, title: str, body: str) -> None:
    styles = page.evaluate("""() => [...document.querySelectorAll('link[rel=stylesheet]')]
        .map(l => `<link rel="stylesheet" href="${l.href}">`).join('')""")
    page.set_content(SHELL.format(base=html.escape(base), title=html.escape(title), styles=styles, body=body),
                     wait_until="load")


def build(html_dir: Path, out: Path, toc: Path) -> dict:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    docs = [d for d in toc_files(toc) if (html_dir / f"{d}.html").is_file()]
    if not docs:
        raise SystemExit(f"no built pages in {html_dir}: run 'make book' first")
    parts: list[tuple[str, bytes]] = []
    keys: list[str] = []
    with serve(html_dir) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 1400}, color_scheme="light")
        context.add_init_script('try { localStorage.setItem("mode", "light"); localStorage.setItem("theme", "light");'
                                " } catch (e) {}")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        book_title = ""
        for doc in docs:
            page.goto(f"{base}{doc}.html", wait_until="load")
            page.emulate_media(media="print")
            page.evaluate("""() => {
                document.documentElement.classList.add('her2-book-pdf');
                if (window.her2course && window.her2course.preparePrint) window.her2course.preparePrint();
            }""")
            key = page.evaluate("() => { const k = document.querySelector('.her2-print-answers');"
                                " return k ? k.outerHTML : ''; }")
            if key:
                keys.append(key)
            title = page.evaluate("() => (document.querySelector('article h1') || {textContent: document.title})"
                                  ".textContent.replace(/#\\s*$/, '').trim()")
            book_title = book_title or page.evaluate("() => (document.title.split(' \u2014 ').pop() || '').trim()")
            parts.append((title, print_page(page, title)))
        if keys:
            body = ('<h1>Appendix: answers and rationales</h1><p>The answers to every quiz in the book, chapter by '
                    "chapter, with the rationale for each option.</p>" + "".join(keys))
            shell(page, base, "Appendix: answers and rationales", body)
            parts.append(("Appendix: answers and rationales",
                          print_page(page, "Appendix: answers and rationales")))
        counts = [len(PdfReader(io.BytesIO(data)).pages) for _, data in parts]
        first, entries = 3, []  # cover and contents take pages 1-2
        for (title, _), n in zip(parts, counts, strict=True):
            entries.append((title, first))
            first += n
        toc_html = "".join(f'<li><span>{html.escape(t)}</span><span class="dots"></span><span>{n}</span></li>'
                           for t, n in entries)
        front = (f'<section class="her2-pdf-cover"><h1>{html.escape(book_title)}</h1>'
                 f"<p>Print edition, {date.today():%d %B %Y}. Printed from the online book; the interactive "
                 "quizzes appear as worksheets, with their answers in the appendix.</p>"
                 "<p>For education only: not for clinical decisions.</p></section>"
                 f'<section class="her2-pdf-toc" style="break-before:page"><h2>Contents</h2><ol>{toc_html}</ol>'
                 "</section>")
        shell(page, base, book_title, front)
        cover = page.pdf(format="A4", print_background=True, margin=MARGIN)
        browser.close()
    if errors:
        raise SystemExit(f"script errors while printing: {errors}")

    writer = PdfWriter()
    for page_ in PdfReader(io.BytesIO(cover)).pages:
        writer.add_page(page_)
    for (title, data), (_, start) in zip(parts, entries, strict=True):
        for page_ in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page_)
        writer.add_outline_item(title=title, page_number=start - 1)
    writer.add_metadata({"/Title": book_title, "/Subject": "Print edition of the online course"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        writer.write(fh)
    return {"pages": len(writer.pages), "bytes": out.stat().st_size, "parts": len(parts), "answer_keys": len(keys)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "pdf" / "her2-course.pdf")
    ap.add_argument("--toc", type=Path, default=ROOT / "_toc.yml")
    args = ap.parse_args(argv)
    stats = build(args.html, args.out, args.toc)
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: {stats['pages']} pages, "
          f"{stats['bytes'] / 1e6:.1f} MB ({stats['parts']} parts, {stats['answer_keys']} chapters with quiz answers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
