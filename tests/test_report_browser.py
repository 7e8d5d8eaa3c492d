"""The HTML report in a real browser (Debian's chromium driven by playwright), fully offline:
no console error, no request beyond the file itself and data: URIs, a drawn explorer, a
working search, and hostile text shown as text without running."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from report_fixtures import HOSTILE_NAME, add_hostile, sample_store

from plnanalytics import Store
from plnanalytics.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
if not CHROMIUM.exists():
    pytest.skip(f"Debian chromium not installed at {CHROMIUM}: apt-get install chromium",
                allow_module_level=True)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("browser")
    store = add_hostile(sample_store(folder / "s.duckdb"))
    with Store(store, read_only=True) as s:
        html = write_report(s, folder / "report.html", window="1w",
                            tz="America/New_York").html
    return {"html": html, "store": store}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page with its console errors, page errors, requests and dialogs recorded."""

    def __init__(self, browser, path: Path, *, bypass_csp: bool = True) -> None:
        # the report's own Content-Security-Policy would block requests silently (and
        # playwright's helpers): bypass it, so that the page itself is shown to need nothing
        self.context = browser.new_context(viewport={"width": 1300, "height": 1000},
                                           bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")
        # the inline scripts have run by "load"; evaluate is not subject to the page's CSP
        assert self.page.evaluate("typeof window.plnNetwork") == "object"


@pytest.fixture(scope="module")
def watched(browser, reports):
    w = Watched(browser, reports["html"])
    yield w
    w.context.close()


def test_no_console_errors_and_offline(watched):
    watched.page.wait_for_timeout(300)
    assert watched.errors == []
    outside = [u for u in watched.requests if u != watched.url and not u.startswith("data:")]
    assert outside == []
    assert watched.dialogs == []


def test_explorer_canvas_is_drawn(watched):
    import matplotlib.image as mpimg

    png = watched.page.locator("#pln-canvas canvas").first.screenshot()
    pixels = mpimg.imread(io.BytesIO(png), format="png")[..., :3]
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 0.02  # not a blank canvas
    colours = {tuple(p) for p in (pixels.reshape(-1, 3) * 255).astype(int)[::7]}
    assert len(colours) > 20


def test_search_selects_a_watchlist_person(watched):
    page = watched.page
    name = page.locator("#watchlist tbody tr").first.locator("td").first.inner_text()
    assert name
    page.fill("#pln-search", name)
    page.wait_for_function(
        "n => document.querySelector('#pln-panel h3') && "
        "document.querySelector('#pln-panel h3').textContent === n", arg=name, timeout=5000)
    panel = page.locator("#pln-panel").inner_text()
    assert "On the watchlist" in panel
    selected = page.evaluate("window.plnNetwork.getSelectedNodes()")
    assert len(selected) == 1
    assert str(selected[0]) == page.locator("#pln-panel").get_attribute("data-node")


def test_colour_by_district_keeps_the_page_working(watched):
    watched.page.select_option("#pln-color", "district")
    assert "Cedar Valley Unified" in watched.page.locator("#pln-legend").inner_text()
    assert watched.errors == []


def test_hostile_text_is_shown_not_run(watched):
    page = watched.page
    assert watched.dialogs == []
    cells = page.locator("#watchlist td", has_text=HOSTILE_NAME)
    assert cells.count() >= 1 and cells.first.is_visible()
    assert page.locator("img[src=x]").count() == 0
    page.fill("#pln-search", "onerror=alert")
    page.wait_for_function("document.querySelector('#pln-panel h3') !== null")
    assert page.locator("#pln-panel h3").inner_text() == HOSTILE_NAME
    assert watched.dialogs == [] and watched.errors == []


def test_the_reports_own_security_policy_lets_it_work(browser, reports):
    w = Watched(browser, reports["html"], bypass_csp=False)
    try:
        w.page.wait_for_timeout(300)
        assert w.errors == []  # a blocked script, style or image would be a console error
        assert w.page.evaluate("window.plnNetwork.body.data.nodes.length") == 108
    finally:
        w.context.close()


def test_print_shows_the_static_picture(watched):
    page = watched.page
    page.emulate_media(media="print")
    try:
        assert not page.locator(".explorer").is_visible()
        assert page.locator(".static-network img").is_visible()
    finally:
        page.emulate_media(media="screen")


def test_over_time_sessions_and_introductions_show(watched):
    page = watched.page
    for section in ("#activity", "#sessions"):
        images = page.locator(f"{section} img")
        assert images.count() >= 1
        for i in range(images.count()):  # every figure decoded and visible
            img = images.nth(i)
            img.scroll_into_view_if_needed()
            assert img.evaluate("i => i.complete && i.naturalWidth > 300"), section
    assert page.locator("#activity h3", has_text="The network window by window").is_visible()
    assert page.locator("#sessions td", has_text="Tue 09 Sep 2025, 20:00").count() == 1
    rows = page.locator("#introductions tbody tr")
    assert rows.count() >= 3
    # the hostile roster person is on the watchlist: their suggestions show the name as text
    assert page.locator("#introductions td", has_text=HOSTILE_NAME).count() >= 1
    assert page.locator("img[src=x]").count() == 0 and watched.dialogs == []
