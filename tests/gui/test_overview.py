"""The pinned overview: one card per pinned race with the feed's numbers, updated in place as
versions arrive, a click opens the race, pins (and the overview) come back after a restart, and
the watch list travels as a file through File ▸ Export/Import pins….

Real data: the Georgia 2020 general's Clarity summary (298 contests), imported into a night with
the importer; tiny cases on the synthetic two-race night (``synthetic_data.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from synthetic_data import synthetic_snapshot

from tracker.archive import watchlist
from tracker.store import Store
from tracker.ui.main_window import MainWindow
from tracker.ui.overview import PinnedOverview
from tracker.ui.pins import CLOSED_KEY
from tracker.ui.race_card import TRACK_COLOUR, RaceCard, card_data, short_name
from tracker.ui.race_view import LEADER_COLOUR, RUNNER_UP_COLOUR

pytestmark = pytest.mark.gui

SYNTHETIC = "synthetic-2024-11-05"
GA_SUMMARY = "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json"
GA = "clarity"  # the election id our parser gives that summary (it names no election)
#: Five races of Georgia's 3 November 2020 general and their leaders as the summary has them.
GA_FIVE = {
    "5000": ("President of the United States", "Biden", "49.5 %"),
    "10000": ("US Senate (Perdue)", "Perdue", "49.7 %"),
    "10100": ("US Senate (Loeffler) - Special", "Warnock", "32.9 %"),
    "28400": ("Public Service Commission District 4", "McDonald", "49.9 %"),
    "30600": ("US House District 6", "McBath", "54.6 %"),
}

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tracker_home: Path) -> Iterator[WindowFactory]:
    made: list[MainWindow] = []

    def make(**kwargs: object) -> MainWindow:
        kwargs.setdefault("interactive", False)
        window = MainWindow(**kwargs)  # type: ignore[arg-type]
        window.resize(1200, 760)
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


@pytest.fixture(scope="session")
def ga2020_night(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real: the GA 2020 general's statewide Clarity summary as a one-version night."""
    from tracker.archive.importer import import_payloads

    out = tmp_path_factory.mktemp("ga2020") / "ga2020-summary.night"
    import_payloads([shared_data / GA_SUMMARY], fmt="auto", out=out, timezone="America/New_York")
    return out


def _open(qtbot: QtBot, window: MainWindow, night: Path, **options: object) -> None:
    with qtbot.waitSignal(window.drawn, timeout=20_000):
        window.open_night(night, **options)  # type: ignore[arg-type]


def _shown(window: MainWindow, qtbot: QtBot) -> None:
    window.show()
    qtbot.waitExposed(window)


def _values(card: RaceCard) -> list[tuple[str, str]]:
    return [(b.name, b.value) for b in card.data.bars]


# pure pieces -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Joseph R. Biden (Dem)", "Biden"),
        ("Donald J. Trump (I) (Rep)", "Trump"),
        ("Lauren Bubba McDonald Jr. (I) (Rep)", "McDonald"),
        ("JON OSSOFF", "Ossoff"),
        ("SMITH, JOHN", "Smith"),
        ("Rocky De La Fuente", "De La Fuente"),
        ("Ludwig van Beethoven", "van Beethoven"),
        ("Yes", "Yes"),
        ("Write-in", "Write-in"),
        ("Joseph R. Biden / Kamala D. Harris", "Biden"),
        # South Carolina's Clarity tickets (the eighth doc walk: the legend read "Pence and Harris")
        ("REP Donald J Trump | Michael R Pence", "Trump"),
        ("DEM Joseph R Biden | Kamala D Harris", "Biden"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short


def test_card_data_of_a_synthetic_race() -> None:
    mayor = synthetic_snapshot(3).contest("mayor")  # 760 / 600 / 140 of 1,500
    data = card_data(mayor, "mayor")
    assert data.title == "Synthetic Mayor"
    assert [(b.name, b.votes, b.value) for b in data.bars] == [
        ("Lovelace", 760, "50.7 %"),
        ("Diddley", 600, "40.0 %"),
        ("Young", 140, "9.3 %"),
    ]
    assert data.bars[0].full_name == "Ada Lovelace"
    assert (data.line, data.line_label) == (50.0, "50 %")
    assert data.footer == "3/4 precincts · 1,500 votes"
    assert [b.colour() for b in data.bars][:2] == [LEADER_COLOUR, RUNNER_UP_COLOUR]
    nothing = card_data(synthetic_snapshot(0).contest("mayor"), "mayor")
    assert [b.value for b in nothing.bars] == ["–", "–", "–"]
    assert nothing.footer == "0/4 precincts · no votes yet"
    missing = card_data(None, "gone", "SYNTHETIC GONE RACE")
    assert missing.missing and missing.title == "Synthetic Gone Race"


def test_cards_reflow_into_as_many_columns_as_fit(qtbot: QtBot) -> None:
    overview = PinnedOverview()
    qtbot.addWidget(overview)
    overview.set_snapshot(synthetic_snapshot(3))
    overview.set_pins(["mayor", "council-1", "x1", "x2", "x3"])
    overview.resize(1200, 300)
    overview.show()
    qtbot.waitExposed(overview)
    assert overview.columns() == 5
    assert len({c.y() for c in overview.cards()}) == 1
    overview.resize(520, 400)
    qtbot.waitUntil(lambda: overview.columns() == 2)
    rows = sorted({c.y() for c in overview.cards()})
    assert len(rows) == 3 and len({c.x() for c in overview.cards()}) == 2
    assert all(c.width() >= 220 for c in overview.cards())
    # the feed's order first (mayor, council), then races not in the feed
    assert [c.contest_id for c in overview.cards()][:2] == ["mayor", "council-1"]
    assert overview.card("x1").data.missing


# the window ------------------------------------------------------------------------------------------
def test_one_card_per_pinned_race_with_the_feeds_numbers_updated_in_place(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    with Store() as store:
        store.pin(SYNTHETIC, "mayor", "Synthetic Mayor")
        store.pin(SYNTHETIC, "council-1", "Synthetic Council District 1")
    window = make_window()
    _open(qtbot, window, synthetic_night)  # the first version: 1 of 4 mayoral precincts
    overview = window.pins.overview
    assert window.pins.dock.isVisibleTo(window)
    assert window.pins.dock.windowTitle() == "Pinned overview — reconstructed night"  # synthetic, labelled
    assert [c.contest_id for c in overview.cards()] == ["mayor", "council-1"]
    mayor, council = overview.cards()
    assert _values(mayor) == [("Lovelace", "60.0 %"), ("Diddley", "30.0 %"), ("Young", "10.0 %")]
    assert mayor.data.footer == "1/4 precincts · 500 votes"
    assert _values(council) == [("Ramone", "60.0 %"), ("Whitney", "40.0 %")]

    with qtbot.waitSignal(window.drawn, timeout=10_000):
        window.replay_bar.next_update()
    assert overview.cards() == [mayor, council]  # the same widgets, updated in place
    assert _values(mayor) == [("Lovelace", "50.7 %"), ("Diddley", "40.0 %"), ("Young", "9.3 %")]
    assert mayor.data.footer == "3/4 precincts · 1,500 votes"
    assert _values(council) == [("Ramone", "52.5 %"), ("Whitney", "47.5 %")]
    assert council.data.footer == "2/2 precincts · 400 votes"


def test_bars_and_line_are_drawn_where_the_numbers_say(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    with Store() as store:
        store.pin(SYNTHETIC, "mayor", "Synthetic Mayor")
    window = make_window()
    _shown(window, qtbot)
    _open(qtbot, window, synthetic_night, at_end=True)  # 1,000 / 820 / 180 of 2,000: 50.0 / 41.0 / 9.0
    card = window.pins.overview.card("mayor")
    assert _values(card)[0] == ("Lovelace", "50.0 %")
    track = card.tracks()[0]
    bars = card.bar_rects()
    for bar, share in zip(bars, (50.0, 41.0, 9.0), strict=True):
        assert bar.width() == pytest.approx(track.width() * share / 100)
    assert card.line_x() == pytest.approx(track.x() + track.width() / 2)
    image = card.grab().toImage()
    ratio = card.devicePixelRatioF()

    def colour(x: float, y: float) -> QColor:
        return image.pixelColor(QPoint(round(x * ratio), round(y * ratio)))

    runner_up = bars[1]
    y = runner_up.center().y()
    assert colour(runner_up.left() + 2, y) == RUNNER_UP_COLOUR
    assert colour(runner_up.right() - 2, y) == RUNNER_UP_COLOUR
    assert colour(runner_up.right() + 3, y) == TRACK_COLOUR  # the bar ends at 41 %
    # the dashed line crosses the third row's empty track at 50 %
    third = bars[2]
    column = [colour(card.line_x() or 0, third.top() + dy) for dy in range(int(third.height()))]
    assert any(c.lightness() < 100 for c in column)


def test_clicking_a_card_opens_its_race(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    with Store() as store:
        store.pin(SYNTHETIC, "mayor", "Synthetic Mayor")
        store.pin(SYNTHETIC, "council-1", "Synthetic Council District 1")
    window = make_window()
    _shown(window, qtbot)
    _open(qtbot, window, synthetic_night, at_end=True, contest="mayor")
    assert window.selected_contest == "mayor"
    council = window.pins.overview.card("council-1")
    assert not council.selected
    qtbot.mouseClick(council, Qt.MouseButton.LeftButton, pos=council.rect().center())
    assert window.selected_contest == "council-1"
    assert window.race_view.header_texts()["title"] == "Synthetic Council District 1"
    assert council.selected and not window.pins.overview.card("mayor").selected
    # and selecting in the list outlines the card
    window.select_contest("mayor")
    assert window.pins.overview.card("mayor").selected


def test_pinning_shows_the_overview_and_unpinning_removes_the_card(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    dock, overview = window.pins.dock, window.pins.overview
    assert not dock.isVisibleTo(window)  # nothing pinned: no overview by default
    dock.toggleViewAction().trigger()  # View ▸ Pinned overview
    assert dock.isVisibleTo(window) and overview.hint_visible()
    assert "★" in overview.hint and "Ctrl+P" in overview.hint
    dock.toggleViewAction().trigger()
    dock.toggleViewAction().trigger()  # shown again: the user wants it
    with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
        window.race_model.set_pinned("council-1", True)
    assert [c.contest_id for c in overview.cards()] == ["council-1"]
    assert not overview.hint_visible()
    with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
        window.race_model.set_pinned("council-1", False)
    assert overview.cards() == [] and overview.hint_visible()


def test_a_closed_overview_stays_closed(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    from tracker.ui.main_window import settings

    with Store() as store:
        store.pin(SYNTHETIC, "mayor", "Synthetic Mayor")
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    dock = window.pins.dock
    assert dock.isVisibleTo(window)
    dock.close()  # the dock's own close button
    assert settings().value(CLOSED_KEY, False, type=bool)
    with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
        window.race_model.set_pinned("council-1", True)
    assert not dock.isVisibleTo(window)
    window.close()
    again = make_window()
    _open(qtbot, again, synthetic_night, at_end=True)
    assert not again.pins.dock.isVisibleTo(again)
    again.pins.dock.toggleViewAction().trigger()
    assert not settings().value(CLOSED_KEY, True, type=bool)


# real data: five pins, a restart, and the watch list as a file -----------------------------------
def test_five_pinned_races_come_back_after_a_restart(
    qtbot: QtBot, make_window: WindowFactory, ga2020_night: Path
) -> None:
    window = make_window()
    _open(qtbot, window, ga2020_night, at_end=True)
    assert window.race_model.rowCount() == 298
    assert not window.pins.dock.isVisibleTo(window)
    for cid in GA_FIVE:
        with qtbot.waitSignal(window.worker.pin_saved, timeout=10_000):
            window.race_model.set_pinned(cid, True)
    assert window.pins.dock.isVisibleTo(window)
    window.close()

    again = make_window()
    _open(qtbot, again, ga2020_night, at_end=True)
    overview = again.pins.overview
    assert again.pins.dock.isVisibleTo(again)
    cards = overview.cards()
    assert [c.contest_id for c in cards] == list(GA_FIVE)  # the feed's order
    for card in cards:
        title, leader, share = GA_FIVE[card.contest_id]
        assert card.data.title == title
        assert _values(card)[0] == (leader, share)
        # Georgia: a 50 % line with its runoff for every office but President (plurality)
        assert (card.line_x() is None) == (card.contest_id == "5000"), card.contest_id
    president = overview.card("5000")
    assert president.data.footer == "158/159 precincts · 4,991,923 votes"
    assert [b.votes for b in president.data.bars] == [2_471_955, 2_457_910, 62_058]
    assert overview.card("10100").data.more == 17


def test_export_then_import_on_another_desk(
    qtbot: QtBot,
    make_window: WindowFactory,
    ga2020_night: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Store() as store:
        for cid, (title, _, _) in GA_FIVE.items():
            store.pin(GA, cid, title)
    window = make_window()
    _open(qtbot, window, ga2020_night, at_end=True)
    shared = tmp_path / "desk.pins.json"
    with qtbot.waitSignal(window.pins.pins_exported, timeout=10_000) as exported:
        window.pins.export_to(shared)
    assert exported.args == [str(shared), 5]
    doc = json.loads(shared.read_text(encoding="utf-8"))
    assert doc["format"] == "tracker-pins/1"
    assert {p["contest_id"] for p in doc["pins"]} == set(GA_FIVE)
    window.close()

    # another desk: its own data folder, one of the five already pinned
    other = tmp_path / "other-desk"
    other.mkdir()
    monkeypatch.setenv("TRACKER_HOME", str(other))
    with Store() as store:
        store.pin(GA, "5000", "President of the United States")
    desk = make_window()
    _open(qtbot, desk, ga2020_night, at_end=True)
    assert [c.contest_id for c in desk.pins.overview.cards()] == ["5000"]
    with qtbot.waitSignal(desk.pins.pins_imported, timeout=10_000) as imported:
        desk.pins.import_from(shared)
    report = imported.args[0]
    assert (report.read, report.new) == (5, 4)
    assert "imported 5 pins from desk.pins.json: 4 new" in desk.status_text().lower()
    assert [c.contest_id for c in desk.pins.overview.cards()] == list(GA_FIVE)
    assert all(desk.race_model.is_pinned(cid) for cid in GA_FIVE)
    with Store() as store:
        assert store.pins(GA) == set(GA_FIVE)


def test_a_malformed_watch_list_is_refused_with_one_message(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path, tmp_path: Path
) -> None:
    window = make_window()
    _open(qtbot, window, synthetic_night, at_end=True)
    bad = tmp_path / "notes.json"
    bad.write_text('{"format": "tracker-pins/1", "pins": [{"election_id": "synthetic-2024-11-05"}]}', "utf-8")
    with qtbot.waitSignal(window.error_reported, timeout=10_000) as error:
        window.pins.import_from(bad)
    assert error.args == ["notes.json: pins[0].contest_id: missing"]
    assert window.race_model.pins() == set() and window.pins.overview.cards() == []
    with Store() as store:
        assert store.pin_rows() == []


def test_export_with_nothing_pinned_says_so(
    qtbot: QtBot, make_window: WindowFactory, synthetic_night: Path
) -> None:
    window = make_window()
    with qtbot.waitSignal(window.error_reported, timeout=5_000) as error:
        window.pins.choose_export()  # no night yet
    assert "Open a night" in error.args[0]
    _open(qtbot, window, synthetic_night, at_end=True)
    with qtbot.waitSignal(window.error_reported, timeout=5_000) as error:
        window.pins.choose_export()
    assert "nothing to export" in error.args[0]


def test_file_menu_has_export_and_import(make_window: WindowFactory) -> None:
    window = make_window()
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert texts.index("&Export pins…") + 1 == texts.index("&Import pins…")
    assert texts.index("&Import pins…") < texts.index("&Quit")
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert "&Pinned overview" in [a.text() for a in view.actions()]
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[-1] == "Help" and "View" in menus


def test_watchlist_round_trip_through_the_module(tmp_path: Path) -> None:
    """What the window writes is what the CLI and another desk read."""
    with Store(tmp_path / "s.sqlite") as store:
        store.pin(GA, "5000", "President of the United States")
        assert watchlist.export_pins(store, tmp_path / "w.json", election_id=GA) == 1
    assert watchlist.read(tmp_path / "w.json")[0].contest_id == "5000"


def test_ap_test_data_is_labelled_on_the_overview_too(
    qtbot: QtBot, make_window: WindowFactory, shared_data: Path, tmp_path: Path
) -> None:
    """Real: AP's 26 April 2016 file (435 races, in AP's test mode)."""
    from tracker.archive.importer import import_payloads

    night = tmp_path / "ap-2016-04-26.night"
    import_payloads(
        [shared_data / "ap" / "newsdev-elex_20160426_ct_rollups.json"], fmt="auto", out=night, timezone="UTC"
    )
    with Store() as store:
        store.pin("ap-2016-04-26", "CT-7003", "CT President, Dem Primary")
        store.pin("ap-2016-04-26", "PA-39290", "PA President, GOP Primary")
    window = make_window()
    _open(qtbot, window, night, at_end=True)
    assert window.pins.dock.windowTitle() == "Pinned overview — TEST DATA"
    ct, pa = window.pins.overview.cards()
    assert _values(ct)[:2] == [("Sanders", "53.2 %"), ("Clinton", "44.8 %")]
    assert ct.data.footer == "409/701 precincts · 323,928 votes"
    assert _values(pa) == [("Trump", "40.4 %"), ("Cruz", "34.6 %"), ("Kasich", "14.5 %")]
    assert pa.data.more == 3
