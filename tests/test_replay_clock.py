"""The replay clock in fake time: play, pause, speed, seek, end of night."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tracker.archive.replay import ReplayClock, Timeline, parse_clock_time

ET = ZoneInfo("America/New_York")
START = dt.datetime(2017, 4, 18, 19, 0, tzinfo=ET)
END = dt.datetime(2017, 4, 19, 1, 30, tzinfo=ET)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake():
    return FakeClock()


def test_starts_paused_at_the_start(fake):
    clock = ReplayClock(START, END, clock=fake)
    fake.advance(100)
    assert not clock.playing
    assert clock.position() == START


def test_play_at_speed_maps_wall_seconds_to_night_seconds(fake):
    clock = ReplayClock(START, END, clock=fake, speed=60)
    clock.play()
    fake.advance(10)
    assert clock.position() == START + dt.timedelta(minutes=10)
    clock.set_speed(1000)
    fake.advance(3)
    assert clock.position() == START + dt.timedelta(minutes=10, seconds=3000)


def test_pause_freezes_and_resume_continues(fake):
    clock = ReplayClock(START, END, clock=fake, speed=10)
    clock.play()
    fake.advance(6)
    clock.pause()
    fake.advance(1000)
    assert clock.position() == START + dt.timedelta(seconds=60)
    clock.toggle()
    fake.advance(6)
    assert clock.position() == START + dt.timedelta(seconds=120)


def test_stops_at_the_end_and_play_restarts(fake):
    clock = ReplayClock(START, END, clock=fake, speed=1000)
    clock.play()
    fake.advance(10_000)
    assert clock.position() == END
    assert not clock.playing
    clock.play()
    assert clock.position() == START


def test_seek_clamps_and_fraction(fake):
    clock = ReplayClock(START, END, clock=fake)
    clock.seek(END + dt.timedelta(hours=5))
    assert clock.position() == END
    clock.seek(START - dt.timedelta(hours=5))
    assert clock.position() == START
    clock.seek_fraction(0.5)
    assert clock.fraction == pytest.approx(0.5)
    with pytest.raises(ValueError):
        clock.seek(dt.datetime(2017, 4, 18, 20, 0))  # naive


def test_speed_limits(fake):
    clock = ReplayClock(START, END, clock=fake)
    for bad in (0, 0.5, 1001):
        with pytest.raises(ValueError):
            clock.set_speed(bad)
    clock.set_speed(1)
    clock.set_speed(1000)


def test_timeline_lookups():
    times = [START + dt.timedelta(minutes=m) for m in (0, 10, 20)]
    tl = Timeline(times)
    assert tl.index_at(START - dt.timedelta(seconds=1)) is None
    assert tl.index_at(START) == 0
    assert tl.index_at(START + dt.timedelta(minutes=15)) == 1
    assert tl.index_at(END) == 2
    assert tl.next_after(START) == times[1]
    assert tl.next_after(times[2]) is None
    assert tl.previous_before(times[1]) == times[0]
    assert tl.previous_before(times[0]) is None
    with pytest.raises(ValueError):
        Timeline(list(reversed(times)))


def test_clock_time_after_midnight_belongs_to_the_next_day():
    assert parse_clock_time("01:30", START, ET) == END
    assert parse_clock_time("22:40", START, ET) == dt.datetime(2017, 4, 18, 22, 40, tzinfo=ET)
    with pytest.raises(ValueError):
        parse_clock_time("quarter past", START, ET)


def test_a_night_of_several_days_takes_the_day_too():
    """A recorder that ran for a week: "HH:MM" is the first such time, a date picks the day."""
    assert parse_clock_time("2017-04-20 09:15", START, ET) == dt.datetime(2017, 4, 20, 9, 15, tzinfo=ET)
    assert parse_clock_time("2017-04-19T01:30", START, ET) == END
    with pytest.raises(ValueError, match="YYYY-MM-DD HH:MM"):
        parse_clock_time("2017-04-31 09:15", START, ET)
