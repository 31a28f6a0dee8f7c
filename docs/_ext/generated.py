"""A directory of the documentation's sources that the build writes itself.

Pages and figures made from the code (the API pages, the gallery, the copies of the
notebooks) go into such a directory under ``docs/`` (ignored by git). A file whose
content did not change keeps its modification time, so Sphinx rebuilds only what
changed; a file not written by this build (a schedule or a notebook that is gone) is
removed, so no stale page survives.
"""
from __future__ import annotations

from pathlib import Path
from typing import Set, Union

#: the first line of every generated text file, so that nobody edits one by hand
HEADER = "generated at build time by docs/_ext/{}: do not edit"


class GeneratedDir:
    """Write files into ``path`` (made if missing); :meth:`finish` removes the rest."""

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.written: Set[Path] = set()

    def write(self, name: str, content: Union[str, bytes]) -> Path:
        """Write ``content`` to ``name`` (relative to the directory) if it differs."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not target.is_file() or target.read_bytes() != data:
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        self.written.add(target.resolve())
        return target

    def keep(self, name: str) -> None:
        """Keep ``name`` although this object did not write it (another tool did)."""
        self.written.add((self.path / name).resolve())

    def finish(self) -> None:
        """Remove every file (and then empty directory) that was not written or kept."""
        for item in sorted(self.path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if item.is_file() and item.resolve() not in self.written:
                item.unlink()
            elif item.is_dir() and not any(item.iterdir()):
                item.rmdir()
