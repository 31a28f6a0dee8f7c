"""The documentation site, built by ``make docs`` and checked in a real browser.

The module builds the site the way a user does (``make docs``: it installs the extra
``docs`` into the virtual environment that runs the tests, then runs Sphinx with
warnings as errors), serves ``docs/_build/html`` on 127.0.0.1 and opens every page in
headless Chromium through Selenium and ``/usr/bin/chromedriver``. On every page: no
console error (level SEVERE), every image decoded and displayed, every formula typeset
by the local MathJax without error, nothing loaded from another host, every internal
link's file and ``#anchor`` present. Then the search page must find a schedule by name,
and screenshots of three pages go to ``docs/_build/screenshots/``.

Chromium and its driver are the Debian packages ``chromium`` and ``chromium-driver``.
As root the set-up installs them when they are missing; otherwise, when they are
missing, the browser tests are skipped, except under CI (``CI`` or ``MXSCHED_CI`` set, as
``.ci/run`` does), where that is a failure.

The converters of the documentation's extensions (formula to math, README sections) are
tested here too, on their own.
"""
from __future__ import annotations

import functools
import html.parser
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SITE = DOCS / "_build" / "html"
SHOTS = DOCS / "_build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BUILD_TIMEOUT = 1800  # s: make docs, installing the extra included, on a busy machine
PAGE_TIMEOUT = 60  # s: one page load, or one page's checks

sys.path.insert(0, str(DOCS / "_ext"))
import formula_math  # noqa: E402  (docs/_ext: the documentation's own extensions)
import readme_sections  # noqa: E402


def under_ci() -> bool:
    return any(os.environ.get(v, "").lower() not in ("", "0", "false", "no")
               for v in ("CI", "MXSCHED_CI"))


def unavailable(reason: str):
    """Fail under CI (the set-up must provide it), skip elsewhere."""
    if under_ci():
        pytest.fail(reason + " (under CI this is a failure: .ci/run installs it)")
    pytest.skip(reason)


# ---------------------------------------------------------------------------------
# the extensions' converters, on their own
# ---------------------------------------------------------------------------------

def test_formula_becomes_math():
    block = ("lr(t) = min_lr + (max_lr - min_lr) * ((1 + cos(pi * t / L)) / 2) ** p   for t <= L\n"
             "        min_lr                                                         for t > L")
    assert formula_math.to_latex(block) == [
        r"\operatorname{lr}(t) = \begin{cases} \mathrm{min\_lr} + (\mathrm{max\_lr} - "
        r"\mathrm{min\_lr}) \cdot {\left(\frac{1 + \cos\left(\frac{\pi \cdot t}{L}\right)}"
        r"{2}\right)}^{p} & \text{for }t \le L \\ \mathrm{min\_lr} & \text{for }t > L "
        r"\end{cases}"]


@pytest.mark.parametrize("text, latex", [
    ("x = a - (b - c)", "x = a - (b - c)"),
    ("x = a + (b - c)", "x = a + b - c"),
    ("x = (a + b) * c", r"x = (a + b) \cdot c"),
    ("x = a / (b * c)", r"x = \frac{a}{b \cdot c}"),
    ("x = (a / b) * c", r"x = \frac{a}{b} \cdot c"),
    ("x = -a ** 2", "x = -{a}^{2}"),
    ("x = (-a) ** 2", r"x = {(-a)}^{2}"),
    ("x = a ** (b / c)", r"x = {a}^{\frac{b}{c}}"),
    ("x = floor(t / L)", r"x = \left\lfloor \frac{t}{L} \right\rfloor"),
    ("x = s_0(t)   if k = 0", r"x = s_{0}(t) \quad \text{if }k = 0"),
])
def test_formula_math_keeps_precedence(text, latex):
    assert formula_math.to_latex(text) == [latex]


@pytest.mark.parametrize("text", [
    "lr(t) = cos(2 pi cycles t / length)",  # juxtaposed factors
    "lr(t) = s_0(t) * s_1(t) * ...",
    "lr(t) = schedule_class(cycle_length=L_k, **kwargs)(t - S_k)",
    "lr(t) = max_lr * factor ** (number of milestones m with m <= t)",
    "warm-up, t < W:   p = t / W",
    "python tools/install_mxnet.py [--dry-run]",
    "lr(t) = a   for t in some set",
])
def test_formula_math_leaves_prose_alone(text):
    assert formula_math.to_latex(text) is None


def test_first_literal_block():
    doc = """Summary line::

        lr(t) = lr

    More text::

        other = 1
    """
    assert formula_math.first_literal_block(doc) == "lr(t) = lr"
    assert formula_math.first_literal_block("No formula here.") is None


def test_readme_sections_find_headings_outside_code():
    lines = ["# Title", "intro", "## Set-up: two commands", "text", "```python",
             "# not a heading", "```", "### Sub", "more", "## Next", "end"]
    assert readme_sections.find_section(lines, "Set-up") == (2, 9)
    assert readme_sections.find_section(lines, "set-up", intro=True) == (2, 7)
    assert readme_sections.find_section(lines, "Title", intro=True) == (0, 2)
    assert readme_sections.find_section(lines, "Porting") is None
    assert readme_sections.find_section(lines, "not a heading") is None


def test_readme_sections_expand_to_include(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n## Conventions\n\nrules\n\n## Other\n", encoding="utf-8")
    page = ("A\n\n```{readme-section} Conventions\n```\n\n"
            "```{readme-section} Porting\n:optional:\n```\n")
    warnings, infos = [], []
    out = readme_sections.expand(page, readme, "../README.md", warnings.append, infos.append)
    assert "```{include} ../README.md\n:start-line: 2\n:end-line: 6\n```" in out
    assert "Porting" not in out and "readme-section" not in out
    assert warnings == [] and len(infos) == 1 and "Porting" in infos[0]
    readme_sections.expand("```{readme-section} Gone\n:bogus:\n```\n", readme, "R.md",
                           warnings.append, infos.append)
    assert len(warnings) == 2 and "bogus" in warnings[0] and "Gone" in warnings[1]


# ---------------------------------------------------------------------------------
# building and serving the site
# ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site():
    """``make docs`` into docs/_build/html; (path, build seconds, pages)."""
    if sys.prefix == sys.base_prefix:
        unavailable("the docs test runs in the project's virtual environment (make test)")
    if shutil.which("make") is None:
        unavailable("make is not installed")
    start = time.monotonic()
    # VENV: the virtual environment running this test, which `make docs` completes with
    # the extra `docs` (a stamp file makes that a no-op the second time)
    proc = subprocess.run(["make", "-C", str(ROOT), "docs", f"VENV={sys.prefix}"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=BUILD_TIMEOUT, env={**os.environ, "MPLBACKEND": "Agg"})
    seconds = time.monotonic() - start
    assert proc.returncode == 0, f"make docs failed:\n{proc.stdout[-20000:]}"
    importlib.invalidate_caches()  # selenium may have been installed just now
    pages = sorted(p for p in SITE.rglob("*.html") if "_static" not in p.parts)
    return SITE, seconds, pages


@pytest.fixture(scope="module")
def server(site):
    """http://127.0.0.1:<free port>/ serving the built site, in a thread."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(Quiet, directory=str(site[0])))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def ensure_browser():
    """Chromium and chromedriver: install them (as root) when missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=900, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "chromium", "chromium-driver"], env=env, timeout=1800, check=False)
        missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        unavailable(f"headless Chromium needs {' and '.join(missing)} (Debian packages "
                    "chromium, chromium-driver)")


@pytest.fixture(scope="module")
def driver(site):
    ensure_browser()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed (the extra `docs`: make docs installs it)")
    profile = tempfile.mkdtemp(prefix="mxsched-docs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--no-default-browser-check", "--window-size=1280,1000",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(PAGE_TIMEOUT)
    browser.set_script_timeout(PAGE_TIMEOUT)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------------------------
# what the site holds (files), then every page in the browser
# ---------------------------------------------------------------------------------

def all_drop_in_modules():
    import pkgutil

    import mxsched.compat
    names = []
    for info in pkgutil.walk_packages(mxsched.compat.__path__, prefix="mxsched.compat."):
        importlib.import_module(info.name)
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def test_site_has_a_page_for_everything(site):
    path, _, pages = site
    assert (path / "index.html").is_file()
    missing = []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if not (path / "notebooks" / f"{notebook.stem}.html").is_file():
            missing.append(f"notebook page notebooks/{notebook.stem}.html")
    import mxsched
    modules = ["mxsched", "mxsched.gluon", "mxsched.tutorial", "mxsched.compat"] + \
        all_drop_in_modules()
    for name in mxsched.registered():
        for file in (f"gallery/{name}.html", f"_images/{name}.png"):
            if not (path / file).is_file():
                missing.append(f"gallery file {file}")
    for modname in modules:
        module = importlib.import_module(modname)
        if not (path / "api" / f"{modname}.html").is_file():
            missing.append(f"module page api/{modname}.html")
        for name in getattr(module, "__all__", []):
            if not (path / "api" / "generated" / f"{modname}.{name}.html").is_file():
                missing.append(f"API page of {modname}.{name}")
    assert not missing, "missing from the site:\n" + "\n".join(missing)
    assert len(pages) > len(mxsched.registered()) + 50


def test_notebook_pages_show_the_committed_outputs(site):
    """Every image/png output and the first printed line of each notebook is on its page."""
    path = site[0]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
        pngs = sum("image/png" in o.get("data", {}) for o in outputs)
        page = (path / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        cell_outputs = page.split('class="cell_output')[1:]
        shown = sum(part.split('class="cell docutils container"')[0].count("<img ")
                    for part in cell_outputs)
        assert shown == pngs, f"{notebook.name}: {pngs} figures committed, {shown} shown"
        streams = [line for o in outputs if o.get("output_type") == "stream"
                   for line in "".join(o["text"]).splitlines() if line.strip()]
        if streams:
            text = text_of(path / "notebooks" / f"{notebook.stem}.html")
            assert streams[0].strip() in text, \
                f"{notebook.name}: output {streams[0]!r} not on its page"


def test_readme_sections_are_on_the_site(site):
    """The landing page and the conventions page carry the README's own sections."""
    path = site[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    titles = [text for _, level, text in readme_sections.headings(readme) if level == 2]
    index = text_of(path / "index.html")
    assert "make notebooks" in index and "make test" in index
    for start in ("Set-up", "GPU"):
        assert any(t.startswith(start) and t in index for t in titles), start
    schedules = text_of(path / "schedules.html")
    assert "Conventions" in titles and "\nConventions" in schedules
    porting = [t for t in titles if t.casefold().startswith("porting")]
    if porting:  # included when the README has it, left out (no error) when not
        assert porting[0] in schedules
    else:
        assert "\nPorting" not in schedules


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks = []

    def handle_data(self, data):
        self.chunks.append(data)


def text_of(file: Path) -> str:
    """The text of an HTML file, tags removed (so highlighted code reads as typed)."""
    parser = _Text()
    parser.feed(file.read_text(encoding="utf-8"))
    return "".join(parser.chunks)


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def ids_of(file: Path) -> frozenset:
    parser = _Ids()
    parser.feed(file.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


#: waits for MathJax, makes every image load now, then reports what the page shows
PAGE_REPORT = """
const done = arguments[arguments.length - 1];
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    try { await MathJax.startup.promise; } catch (e) {}
  }
  const imgs = Array.from(document.images);
  for (const img of imgs) { img.loading = "eager"; }
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  const math = Array.from(document.querySelectorAll("span.math, div.math"));
  done({
    images: imgs.map(img => ({src: img.currentSrc || img.src, complete: img.complete,
                              width: img.naturalWidth,
                              shown: img.getClientRects().length > 0})),
    math: math.length,
    untypeset: math.filter(el => !el.querySelector("mjx-container")).length,
    // a TeX error, or an undefined macro (MathJax shows its name in red)
    mathErrors: document.querySelectorAll(
      "mjx-merror, [data-mjx-error], mjx-container [style*='color: red']").length,
    resources: performance.getEntriesByType("resource").map(e => e.name),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
  });
})();
"""


def check_link(href: str, base: str, site_dir: Path):
    """None if ``href`` is fine, else what is wrong (internal links only)."""
    parts = urllib.parse.urlsplit(href)
    if parts.scheme not in ("http", "https") or not href.startswith(base):
        return None  # external (not fetched: offline) or mailto:
    rel = urllib.parse.unquote(parts.path)[len(urllib.parse.urlsplit(base).path):]
    target = site_dir / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"link to a missing file: {href}"
    fragment = urllib.parse.unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in ids_of(target):
        return f"link to a missing anchor: {href}"
    return None


def test_every_page_in_the_browser(site, server, driver, capsys):
    site_dir, build_seconds, pages = site
    problems, math_pages, external = [], 0, set()
    start = time.monotonic()
    for page in pages:
        rel = page.relative_to(site_dir).as_posix()
        driver.get(server + rel)
        report = driver.execute_async_script(PAGE_REPORT)
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                problems.append(f"{rel}: console error: {entry.get('message')}")
        for img in report["images"]:
            if not (img["complete"] and img["width"] > 0 and img["shown"]):
                problems.append(f"{rel}: image not shown: {img}")
        if report["math"]:
            math_pages += 1
        if report["untypeset"] or report["mathErrors"]:
            problems.append(f"{rel}: {report['untypeset']} of {report['math']} formulas not "
                            f"typeset, {report['mathErrors']} MathJax errors")
        for url in report["resources"]:
            if not url.startswith(server):
                problems.append(f"{rel}: loaded from outside the site: {url}")
        for href in set(report["links"]):
            problem = check_link(href, server, site_dir)
            if problem:
                problems.append(f"{rel}: {problem}")
            elif not href.startswith(server):
                external.add(href)
    browse_seconds = time.monotonic() - start
    with capsys.disabled():
        print(f"\ndocs: {len(pages)} pages, built by make docs in {build_seconds:.0f} s, "
              f"all opened in Chromium in {browse_seconds:.0f} s ({math_pages} with "
              f"formulas, {len(external)} external links, not followed)")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:200])
    assert math_pages >= 2, "formulas were expected on the notebook and gallery pages"


def test_search_finds_a_schedule_by_name(server, driver):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(server + "search.html?q=CosineAnnealing")
    WebDriverWait(driver, PAGE_TIMEOUT).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#search-results ul.search li a').length > 0"))
    hrefs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results ul.search li a'))"
        ".map(a => a.href)")
    paths = {urllib.parse.urlsplit(h).path for h in hrefs}
    assert "/api/generated/mxsched.CosineAnnealing.html" in paths, hrefs
    assert "/gallery/CosineAnnealing.html" in paths, hrefs
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert not severe, severe


def test_screenshots(server, driver, capsys):
    SHOTS.mkdir(parents=True, exist_ok=True)
    first_notebook = sorted((ROOT / "notebooks").glob("*.ipynb"))[0].stem
    for name, rel in [("landing", "index.html"),
                      ("notebook", f"notebooks/{first_notebook}.html"),
                      ("gallery", "gallery/CosineAnnealing.html")]:
        driver.get(server + rel)
        driver.execute_async_script(PAGE_REPORT)  # MathJax done, images decoded
        if name == "notebook":  # show its first figure, not only its opening prose
            driver.execute_script("const img = document.querySelector('.cell_output img');"
                                  "if (img) img.scrollIntoView({block: 'center', behavior: 'instant'});")
        shot = SHOTS / f"{name}.png"
        assert driver.save_screenshot(str(shot)), shot
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot
    with capsys.disabled():
        print(f"\nscreenshots: {SHOTS}/landing.png, notebook.png, gallery.png")
