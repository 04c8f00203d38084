"""Files generated from the registries (the metric catalog, the input contract) and committed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def write_changed(files: Mapping[Path, str], root: Path) -> list[Path]:
    """Write each file (relative to root) whose text differs; return those it changed, so that
    an unchanged file keeps its timestamp and a run says what it regenerated."""
    changed = []
    for path, text in files.items():
        target = root / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
