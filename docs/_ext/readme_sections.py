"""Sphinx extension: include sections of the repository's README.md by their heading.

A MyST page of the documentation writes::

    ```{readme-section} Conventions
    ```

and gets the README's section "## Conventions" (its heading, its text and its
subsections, up to the next heading of the same or a higher level) through MyST's own
``{include}`` directive, so the text lives in one place only and cannot drift. The block
is replaced, when the page is read, by an ``{include}`` of those lines of README.md.

A heading is matched when its text starts with the words given (case-insensitive), so
"Set-up" finds "## Set-up: two commands". Options:

``:body:``
    leave out the heading line (the page gives its own title);
``:intro:``
    stop at the first subheading (the text under the heading only);
``:optional:``
    include nothing, and only log it, when the README has no such section; without it a
    missing section is a warning (an error under ``-W``).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, List, Optional, Tuple

#: ```{readme-section} Title, then option lines, then the closing fence.
BLOCK = re.compile(r"^```\{readme-section\}[ \t]+(?P<title>[^\n]+)\n"
                   r"(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)"
                   r"```[ \t]*$", re.MULTILINE)
OPTIONS = {"body", "intro", "optional"}


def headings(lines: List[str]) -> List[Tuple[int, int, str]]:
    """(line index, level, text) of every Markdown ATX heading outside code fences."""
    found = []
    fence: Optional[str] = None
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        match = re.match(r"(`{3,}|~{3,})", stripped)
        if match:
            if fence is None:
                fence = match.group(1)[0] * len(match.group(1))
            elif stripped.startswith(fence) and not stripped[len(fence):].strip("`~ \t"):
                fence = None
            continue
        if fence is None:
            heading = re.match(r"(#{1,6})[ \t]+(.*?)[ \t#]*$", line)
            if heading:
                found.append((i, len(heading.group(1)), heading.group(2)))
    return found


def find_section(lines: List[str], title: str, intro: bool = False
                 ) -> Optional[Tuple[int, int]]:
    """Line range [start, end) of the section whose heading starts with ``title``."""
    marks = headings(lines)
    wanted = title.strip().casefold()
    for n, (line, level, text) in enumerate(marks):
        if text.casefold().startswith(wanted):
            end = len(lines)
            for later_line, later_level, _ in marks[n + 1:]:
                if intro or later_level <= level:
                    end = later_line
                    break
            return line, end
    return None


def expand(text: str, readme: Path, include_path: str,
           warn: Callable[[str], None] = print, info: Callable[[str], None] = print) -> str:
    """``text`` with every readme-section block replaced by an include of README lines.

    ``warn`` gets what is wrong (an unknown option, a missing section that is not
    optional), ``info`` what was left out on purpose (a missing optional section).
    """
    lines = readme.read_text(encoding="utf-8").splitlines()

    def replace(match: "re.Match[str]") -> str:
        title = match.group("title").strip()
        options = {line.strip().strip(":").split(":")[0]
                   for line in match.group("options").splitlines() if line.strip()}
        unknown = options - OPTIONS
        if unknown:
            warn(f"readme-section {title!r}: unknown option(s) {', '.join(sorted(unknown))}"
                 f" (known: {', '.join(sorted(OPTIONS))})")
        found = find_section(lines, title, intro="intro" in options)
        if found is None:
            if "optional" in options:
                info(f"readme-section: {readme.name} has no section {title!r}; left out")
            else:
                warn(f"readme-section: {readme.name} has no section {title!r}")
            return ""
        start, end = found
        if "body" in options:
            start += 1
        return (f"```{{include}} {include_path}\n:start-line: {start}\n:end-line: {end}\n"
                f"```")

    return BLOCK.sub(replace, text)


def on_source_read(app, docname: str, source: List[str]) -> None:
    if "{readme-section}" not in source[0]:
        return
    from sphinx.util import logging
    logger = logging.getLogger(__name__)
    readme = Path(app.config.readme_sections_file)
    if not readme.is_absolute():
        readme = Path(app.confdir) / readme
    # MyST resolves an include relative to the page that holds it
    page_dir = Path(app.env.doc2path(docname)).parent
    include_path = Path(os.path.relpath(readme.resolve(), page_dir.resolve())).as_posix()
    source[0] = expand(source[0], readme, include_path,
                       warn=lambda message: logger.warning(message, location=docname),
                       info=logger.info)


def setup(app) -> dict:
    app.add_config_value("readme_sections_file", "../README.md", "env")
    app.connect("source-read", on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
