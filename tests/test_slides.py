"""The slide deck: one offline HTML file, keyboard navigation, and a real headless-browser check."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import msgspec
import numpy as np
import pytest
from azr_actors.eventlog import RunStarted
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import sample_events
from PIL import Image

from azr_actors.slides import PLOTS, build_slides, render_deck, write_slides

CHROMIUM = Path("/usr/bin/chromium")
TITLES = [
    "Headline results",
    "pass@k and the judge's uplift",
    "Latency",
    "Harm breakdown and risk",
    "Collusion",
    "Operations and alerts",
    "Demo fallback",
]


def _unsimulated() -> list:  # type: ignore[type-arg]
    events = sample_events()
    run = events[0]
    assert isinstance(run, RunStarted)
    models = [msgspec.structs.replace(m, simulated=False) for m in run.models]
    return [msgspec.structs.replace(run, models=models, simulated=False), *events[1:]]


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = fold(sample_events())
    return write_slides(state, run_metrics(state, log="run.db"), tmp_path_factory.mktemp("deck"))


def test_deck_has_every_slide_with_embedded_plots_and_nothing_remote(deck: Path) -> None:
    html = deck.read_text()
    assert re.findall(r"<section class=\"slide[^\"]*\" id=\"slide-(\d+)\"><h1>([^<]+)</h1>", html) == [
        (str(i + 1), t.replace("'", "&#x27;")) for i, t in enumerate(TITLES)
    ]
    assert html.count("data:image/png;base64,") == len(PLOTS)
    assert not re.search(r"(src|href)=\"(https?:)?//|url\(\s*['\"]?https?:|@import", html)
    assert html.count('class="stamp">SIMULATED') == 1
    for key in ("ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "' '", "PageDown", "PageUp", "'Home'", "'End'"):
        assert key in html, key


def test_no_stamp_without_a_simulated_model_and_slides_say_what_is_missing() -> None:
    state = fold(_unsimulated())
    slides = build_slides(state, run_metrics(state), {})
    html = render_deck(slides, title="t", simulated=state.simulated)
    assert "SIMULATED" not in html and "data:image" not in html
    bare = fold(sample_events()[:1])
    text = " ".join(s.body for s in build_slides(bare, run_metrics(bare), {}))
    assert "The harm suite did not run" in text and "No collusion analysis" in text


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,720"]
    try:
        return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium for the headless-browser check")
def test_screenshot_in_a_real_headless_browser(deck: Path, tmp_path: Path) -> None:
    shot = tmp_path / "slides.png"
    proc = _chromium(tmp_path, f"--screenshot={shot}", deck.as_uri())
    assert shot.exists(), proc.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert image.shape == (720, 1280, 3)
    # The first slide is drawn (not a blank page): a dark background with bright text and the red stamp.
    assert image.std() > 10
    stamp = image[10:60, 1090:1270]
    assert ((stamp[..., 0] > 200) & (stamp[..., 1] < 140)).sum() > 100


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium for the headless-browser check")
def test_keyboard_navigation_in_a_real_headless_browser(deck: Path, tmp_path: Path) -> None:
    probe = """<script>
    function press(k){document.dispatchEvent(new KeyboardEvent('keydown',{key:k,bubbles:true}));}
    var seen=[];function at(){return document.querySelector('.slide.active').id;}
    ['ArrowRight','ArrowRight',' ','PageUp','End','ArrowRight','Home','ArrowLeft','PageDown','ArrowDown','ArrowUp']
      .forEach(function(k){press(k);seen.push(at());});
    document.body.setAttribute('data-seen',seen.join(','));
    </script></body>"""
    page = tmp_path / "probe.html"
    page.write_text(deck.read_text().replace("</body>", probe))
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    seen = re.search(r'data-seen="([^"]+)"', dom)
    assert seen, dom[-500:]
    assert seen.group(1).split(",") == [f"slide-{n}" for n in (2, 3, 4, 3, 7, 7, 1, 1, 2, 3, 2)]
    hashed = _chromium(tmp_path, "--dump-dom", deck.as_uri() + "#5").stdout
    assert re.search(r'<section class="slide active" id="slide-5">', hashed)
