"""The HTML report in a real browser: headless Chromium (Debian's package) opens the file.

It checks the DOM after the page's script ran (a timeline row per node, the phases present,
the events filter and node choice preset from the address hiding every row that is not
about node2's installs) and
takes a screenshot, kept at ``tests/output/report-timeline.png`` (ignored by git), that must
not be blank; and it opens a `pycau rehearse --html` page and checks its histogram bars and
the replay commands of its runs that were not a clean Succeeded run. Slow (three browser
starts); ``.ci/run`` installs chromium where it is missing,
and without it this test fails saying so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from runner.rehearsal import scenarios as found
from runner.rehearsal.compose import rehearse
from runner.render import render

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "output"
PHASE_RGB = {"install": (0x27, 0xAE, 0x60), "drain": (0x2E, 0x86, 0xC1)}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed: apt-get install -y chromium (.ci/run installs it)")


def _browse(url: str, profile: Path, *flags: str) -> str:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--no-first-run", f"--user-data-dir={profile}", *flags, url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class _Dom(HTMLParser):
    """The elements of the dumped DOM with their attributes, and the event rows' text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.rows: list[tuple[dict[str, str], list[str]]] = []
        self.texts: dict[str, str] = {}
        self._in_events = False
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if tag == "table" and found.get("id") == "events":
            self._in_events = True
        if self._in_events and tag == "tr" and "data-kind" in found:
            self.rows.append((found, []))
        self._current = found.get("id")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_events = False
        self._current = None

    def handle_data(self, data: str) -> None:
        if self._in_events and self.rows:
            self.rows[-1][1].append(data)
        if self._current:
            self.texts[self._current] = self.texts.get(self._current, "") + data


@pytest.mark.slow
def test_the_html_report_in_chromium(tmp_path: Path) -> None:
    """Chromium shows a row per node, every phase, a working event filter and a screenshot
    that is not blank."""
    scenario = found.load("fault-install-failure")
    report = rehearse(scenario, scenario.seed).to_dict()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = OUTPUT / "report-timeline.html"
    page.write_text(render(report, "html"), encoding="utf-8")

    dom = _Dom()
    dom.feed(_browse(f"{page.as_uri()}#filter=install&node=node2", tmp_path / "p1", "--dump-dom"))
    rows = [a["data-node"] for t, a in dom.elements if "node-row" in a.get("class", "")]
    assert rows == [node["name"] for node in report["nodes"]]
    phases = {a["data-phase"] for t, a in dom.elements if a.get("data-phase")}
    assert phases == {"storage_wait", "drain", "install", "reboot", "resume", "resync"}
    shown = [(a, "".join(text)) for a, text in dom.rows if "hidden" not in a]
    assert 0 < len(shown) < len(dom.rows)
    assert all(a["data-node"] == "node2" and "install" in text for a, text in shown)
    count = re.fullmatch(r"(\d+) of (\d+) events shown", dom.texts["event-count"])
    assert count is not None
    assert (int(count[1]), int(count[2])) == (len(shown), len(report["events"]))

    shot = OUTPUT / "report-timeline.png"
    shot.unlink(missing_ok=True)
    _browse(page.as_uri(), tmp_path / "p2", f"--screenshot={shot}", "--window-size=1280,1500")
    print(f"screenshot: {shot}")
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 50
    present = {rgb for _, rgb in colours}
    for phase, rgb in PHASE_RGB.items():
        assert rgb in present, f"no {phase} bar ({rgb}) in the screenshot"


@pytest.mark.slow
def test_the_rehearse_html_report_in_chromium(tmp_path: Path) -> None:
    """Chromium shows a rehearse page's histogram: one bar per bin of the report, drawn with a
    height, and the runs that were not a clean Succeeded run with their replay commands."""
    from click.testing import CliRunner

    from runner.cli import cli

    OUTPUT.mkdir(parents=True, exist_ok=True)
    page, saved = OUTPUT / "report-rehearse.html", tmp_path / "forecast.json"
    args = ["rehearse", "four-node-rolling", "--runs", "12", "--faults", "2", "--jobs", "1",
            "--no-progress", "--report", str(saved), "--html", str(page)]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(saved.read_text(encoding="utf-8"))

    dumped = _browse(page.as_uri(), tmp_path / "p1", "--dump-dom")
    dom = _Dom()
    dom.feed(dumped)
    bars = [a for t, a in dom.elements if t == "rect" and a.get("class") == "bin"]
    assert [int(a["data-count"]) for a in bars] == [b["runs"] for b in report["histogram"]["bins"]]
    assert all(float(a["height"]) > 0 for a in bars if int(a["data-count"]))
    replays = [r["replay"] for r in report["results"] if r["replay"]]
    assert replays  # the faults make some run other than a clean Succeeded
    flagged = dumped.split('id="flagged"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<code class="replay">([^<]*)</code>', flagged) == replays
