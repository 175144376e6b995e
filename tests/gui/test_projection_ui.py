"""The projection in the window: the band on the bars, P(clear), the timeline, the projection log.

Synthetic projections for the unit-level checks of the view (built by the model from the synthetic
snapshot), the real bundled GA-06 night for the window."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot
from synthetic_data import synthetic_snapshot

from tracker.archive.night import NightFile
from tracker.core.model import Contest
from tracker.core.projection import project_contest
from tracker.ui.main_window import MainWindow
from tracker.ui.race_view import RaceView
from tracker.ui.timeline import TimelinePoint, TimelineView

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot: QtBot) -> RaceView:
    v = RaceView()
    qtbot.addWidget(v)
    v.resize(900, 640)
    v.show()
    qtbot.waitExposed(v)
    return v


def _night_contests(night: Path, indices: list[int]) -> list[tuple[dt.datetime, Contest]]:
    with NightFile.open(night) as nf:
        versions = nf.versions()
        return [(versions[i].fetched_at, nf.snapshot(versions[i]).contests[0]) for i in indices]


def test_band_sits_on_the_projection_and_items_are_updated_in_place(view: RaceView, bundled_night: Path):
    """Real (reconstructed night): two versions in the middle of the night, one view."""
    (_, first), (_, second) = _night_contests(bundled_night, [36, 50])
    items = view.plot_items()
    for contest in (first, second):
        projection = project_contest(contest)
        assert projection.status == "projected"
        view.show_contest(contest, projection=projection)
        assert view.plot_items() == items  # the same objects, updated in place
        band = view.band_geometry()
        assert band
        for cand in projection.candidates:
            if cand.votes == 0:
                continue
            x, lo, hi, y = band[cand.name]
            assert x == pytest.approx(cand.share * 100)
            assert lo == pytest.approx(cand.lo * 100)
            assert hi == pytest.approx(cand.hi * 100)
            assert y == next(b.rank for b in view.bars() if b.name == cand.name)
        leader = view.bars()[0]
        assert "P(>50 %)" in view.texts()[leader.name]
        assert view.projection_text().startswith("Projected final:")


def test_no_band_without_a_projection_or_when_final(view: RaceView, bundled_night: Path):
    ((_, last),) = _night_contests(bundled_night, [-1])
    view.show_contest(last, projection=project_contest(last))
    assert view.band_geometry() == {}
    view.show_contest(synthetic_snapshot(2).contest("mayor"))
    assert view.band_geometry() == {}
    assert view.projection_text() == ""


def test_too_early_is_said_once_in_the_header(view: RaceView):
    mayor = synthetic_snapshot(2).contest("mayor")  # synthetic: 2 precincts in
    projection = project_contest(mayor)
    assert projection.too_early
    view.show_contest(mayor, projection=projection)
    assert view.projection_text().startswith("Projection: too early")
    assert view.band_geometry() == {}


def test_timeline_curves_follow_the_history_in_place(qtbot: QtBot, bundled_night: Path):
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    timeline.resize(800, 200)
    indices = list(range(20, 40))
    contests = _night_contests(bundled_night, indices)
    points = [TimelinePoint(when, project_contest(c)) for when, c in contests]
    items = timeline.plot_items()
    timeline.set_history(points[:10], points[9].when, span=(points[0].when, points[-1].when))
    timeline.set_history(points, points[-1].when, span=(points[0].when, points[-1].when))
    assert timeline.plot_items() == items
    series = timeline.series()
    ossoff = next(k for k in series if "OSSOFF" in k)
    running = series[ossoff]["running"]
    assert len(running) == len(points)
    expected = [
        p.projection.candidate(next(c.candidate_id for c in p.projection.candidates if c.name == ossoff))
        for p in points
    ]
    assert np.allclose(running, [c.share_now * 100 for c in expected])
    projected = [c.share * 100 for c in expected if c.share is not None]
    assert np.allclose(series[ossoff]["projected"], projected)
    assert np.all(series[ossoff]["lo"] <= series[ossoff]["projected"] + 1e-9)
    assert "Ossoff" in timeline.caption()


def test_in_thin_rows_the_whisker_rises_above_the_numbers_inside_the_bar(
    qtbot: QtBot, view: RaceView, bundled_night: Path
) -> None:
    """Real, 22:40 (Ossoff's numbers inside his bar, his projection's whisker over them): in
    roomy rows the whisker runs along the bar's top edge; squeezed, it rises so as not to cross
    the tops of the digits, and stays within its own row."""
    ((_, house),) = _night_contests(bundled_night, [40])
    view.show_contest(house, projection=project_contest(house))
    assert tuple(view.plot_items()[3].anchor) == (1, 0.5)  # Ossoff's numbers: inside his bar
    roomy = float(np.atleast_1d(view._band.opts["y"])[0])
    assert roomy == pytest.approx(-0.3)
    view.resize(900, view.minimumSizeHint().height())
    qtbot.waitUntil(lambda: float(np.atleast_1d(view._band.opts["y"])[0]) < -0.3)
    assert float(np.atleast_1d(view._band.opts["y"])[0]) >= -0.45


def _time_labels(timeline: TimelineView) -> list[str]:
    axis = timeline.plot_widget.getPlotItem().getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _rect, _flags, text in specs[2]] if specs else []


def test_an_empty_timeline_shows_no_times_until_a_night_gives_it_some(qtbot: QtBot, bundled_night: Path):
    """While a night opens the timeline has no data: no ticks at 1970's sub-seconds ("59.600",
    "00:00:00"), then the night's own hours once it has points."""
    timeline = TimelineView()
    qtbot.addWidget(timeline)
    timeline.resize(800, 200)
    timeline.show()
    qtbot.waitExposed(timeline)
    assert _time_labels(timeline) == []
    contests = _night_contests(bundled_night, list(range(20, 40)))
    points = [TimelinePoint(when, project_contest(c)) for when, c in contests]
    timeline.set_history(points, points[-1].when, span=(points[0].when, points[-1].when))
    labels = _time_labels(timeline)
    assert labels and all(":" in label for label in labels)


def test_window_band_timeline_and_log_move_with_the_night(
    qtbot: QtBot, window: MainWindow, bundled_night: Path, tmp_path: Path
):
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(bundled_night, at="22:40")
    band_2240 = window.race_view.band_geometry()
    assert band_2240, "a band on the bars at 22:40"

    # the bars first (cold start stays fast), then a first timeline of a few earlier versions ...
    def running_points() -> int:
        series = window.timeline_view.series()
        return len(next(iter(series.values()))["running"]) if series else 0

    qtbot.waitUntil(lambda: window.worker.history_ready(window.shown_version), timeout=20_000)
    qtbot.waitUntil(lambda: running_points() >= 5, timeout=20_000)

    # ... and the rest right after: every version up to the one on screen but the first (no votes)
    def complete() -> bool:
        return running_points() == window.shown_version

    qtbot.waitUntil(complete, timeout=20_000)
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.replay_bar.next_update()
    assert window.race_view.band_geometry() != band_2240  # the band moves as the night goes on
    dock = window.projection_log
    dock.show()  # the window itself is not shown in this test: ask for the rows directly
    with qtbot.waitSignal(window.worker.projection_log_ready, timeout=10_000):
        dock.refresh()
    rows = dock.model.rows()
    assert rows and {r.contest_id for r in rows} == {window.selected_contest}
    assert len({r.version for r in rows}) >= window.shown_version + 1
    target = tmp_path / "log.csv"
    with qtbot.waitSignal(window.worker.projection_log_exported, timeout=10_000):
        dock.export(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) + 1 and lines[0].startswith("made_at,source")


def test_needs_use_the_projections_outstanding_vote(view: RaceView, bundled_night: Path):
    """With a projection, "needs X %" is computed from the projection's outstanding vote (DESIGN:
    R from the projection when there is one), which is the expected vote's one estimate (the same
    as the "vote still out" line's), and the header names one figure and its evidence."""
    from tracker.core.outstanding import estimate_outstanding
    from tracker.core.threshold import assess

    ((_, contest),) = _night_contests(bundled_night, [40])
    projection = project_contest(contest)
    assert projection.status == "projected" and projection.outstanding is not None
    assert projection.outstanding == estimate_outstanding(contest)  # one estimate, not two
    view.show_contest(contest, projection=projection)
    totals, counted = contest.totals, contest.total_votes
    by_name = {c.name: c.id for c in contest.candidates}
    for bar in view.bars():
        expected = assess(totals[by_name[bar.name]], counted, projection.outstanding, contest.threshold)
        assert bar.need == expected, bar.name
    header = view.header_texts()
    assert "estimated from registered voters" in header["outstanding"]  # no baseline given here
    assert (
        "no baseline" in header["projection"]
        and "expected vote from registered voters" in header["projection"]
    )
    assert "Projected final" in header["projection"]
    assert "votes out" not in header["projection"]


def test_the_timeline_spans_the_stretch_of_counting_on_screen(shared_data: Path) -> None:
    """Real times: Georgia's 2021 runoff as a recorder saved Clarity's ALL.json, election night
    (22:47 UTC on 5 January to 04:49 the next morning) then a version every few hours for two
    weeks. At a version of election night the chart spans election night, not the fortnight (it
    had squeezed the night into its first pixels); past the night's last pause it widens."""
    from tracker.ui.timeline import COUNTING_GAP, counting_span

    folder = shared_data / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    times = sorted(
        dt.datetime.strptime(p.name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        for p in folder.glob("*_ALL.json")
    )
    night = next(i for i, t in enumerate(times) if t.hour == 2)  # 02:xx UTC on election night
    start, end = counting_span(times, night)
    assert start == times[0] and end - start < dt.timedelta(hours=12)
    assert all(
        later - earlier <= COUNTING_GAP for earlier, later in itertools.pairwise(times) if later <= end
    )
    assert counting_span(times, len(times) - 1) == (times[0], times[-1])
    assert counting_span(times, night) == counting_span(times, 0)  # steady while the night plays


def test_the_timeline_starts_at_the_stretch_of_the_first_votes() -> None:
    """North Carolina 2020 as the New York Times received it (the night's real first times): an
    empty version on 30 October, then the count from 01:20 UTC on 4 November. The chart starts
    where the votes do, not five days earlier."""
    from tracker.ui.timeline import counting_span

    utc = dt.UTC
    times = [
        dt.datetime(2020, 10, 30, 13, 19, tzinfo=utc),
        dt.datetime(2020, 11, 4, 0, 50, tzinfo=utc),
        dt.datetime(2020, 11, 4, 1, 20, tzinfo=utc),
        dt.datetime(2020, 11, 4, 3, 30, tzinfo=utc),
    ]
    assert counting_span(times, 3, times[2]) == (times[1], times[3])
    assert counting_span(times, 0, times[2]) == (times[0], times[0])  # on screen: the empty one
    assert counting_span(times, 3) == (times[0], times[3])  # no votes known yet: from the start
