"""The book's documents as _toc.yml lists them (shared by the PDF and benchmark tools)."""

from __future__ import annotations

from pathlib import Path

import yaml


def toc_files(toc_path: Path) -> list[str]:
    """The documents of _toc.yml in reading order (root first), without extensions."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    out = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                out.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(f).with_suffix("")) for f in out]
