"""Lighthouse (npm registry) on chapter pages of the built book, served gzipped from 127.0.0.1, in Debian chromium.

    python tools/lighthouse.py [PAGE ...]     # default: the two heaviest chapter pages; prints the scores

``serve_gzip`` is a small http.server that compresses text responses on the fly (as any real host would) and
lets the browser cache static files; ``run`` calls the Lighthouse CLI with CHROME_PATH=/usr/bin/chromium and
the same headless flags the tests use, mobile form factor (Lighthouse's default), and returns the
performance and accessibility scores (0-100). Used by ``make bench``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import ClassVar

from localserve import QuietHandler, serve

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".svg", ".json", ".txt", ".xml", ".map")


class GzipHandler(QuietHandler):
    """Static files with gzip for text types and a cache lifetime for everything under _static/."""

    _cache: ClassVar[dict[tuple[str, float], bytes]] = {}

    def end_headers(self):
        if "/_static/" in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if os.path.isdir(path) or not wants_gzip or not path.endswith(COMPRESSIBLE) or not os.path.isfile(path):
            return super().send_head()
        key = (path, os.path.getmtime(path))
        body = self._cache.get(key)
        if body is None:
            with open(path, "rb") as fh:
                body = gzip.compress(fh.read(), compresslevel=9, mtime=0)
            self._cache[key] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


def serve_gzip(directory: Path):
    """A local server that compresses text responses, as any real host would."""
    return serve(directory, GzipHandler)


def run(url: str) -> dict[str, float]:
    """Performance and accessibility scores (0-100) of one URL, mobile."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse is not installed: run 'make browser' (npm ci)")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        env = dict(os.environ, CHROME_PATH="/usr/bin/chromium")
        subprocess.run(["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                        "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
                        "--max-wait-for-load=60000"], check=True, env=env, cwd=tmp,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        data = json.loads(report.read_text(encoding="utf-8"))
    cats = data["categories"]
    audits = data["audits"]
    return {"performance": round(cats["performance"]["score"] * 100), "accessibility":
            round(cats["accessibility"]["score"] * 100),
            "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
            "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
            "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
            "failed_a11y": [k for k, a in audits.items() if a.get("score") == 0
                            and k in {r["id"] for r in cats["accessibility"]["auditRefs"]}]}


def heaviest_chapters(html: Path, n: int = 2) -> list[str]:
    pages = sorted((html / "notebooks").glob("*.html"), key=lambda p: p.stat().st_size, reverse=True)
    return [str(p.relative_to(html)) for p in pages[:n]]


def main(argv: list[str]) -> int:
    html = ROOT / "_build" / "html"
    pages = argv or heaviest_chapters(html)
    with serve_gzip(html) as base:
        for page in pages:
            print(page, json.dumps(run(base + page)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
