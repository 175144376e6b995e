"""The turnout prior's places on a real night that never marks a county complete: North Carolina
2020 by county (the New York Times / Edison timeseries in the shared data) with the 2016 result
by county as baseline, projected version by version as the window projects it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import backtest_nights as bn
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.projections import baseline_for, load_baselines
from tracker.core.arrival import arrival_point
from tracker.core.projection import project_contest


@pytest.mark.slow
def test_nc_2020_by_county_first_report_and_end_of_night(shared_data: Path, tmp_path: Path):
    night_path = bn.build_nc(tmp_path, "counties")
    base_path = bn.build_nc_baseline(tmp_path)
    with NightFile.open(night_path) as night:
        baselines = load_baselines(night, str(base_path))
        versions = night.versions()
        chain = VersionChain(night, versions)
        contests = [chain.snapshot(i).contests[0] for i in range(len(versions))]
        date = chain.snapshot(len(versions) - 1).election.date
    final = contests[-1]
    base = baseline_for(baselines, final, date)
    trump = final.totals["trump"] / final.total_votes  # 49.94 %
    history = []
    seen = {}
    for i, contest in enumerate(contests):
        proj = project_contest(contest, base, list(history))
        history.append(arrival_point(contest))
        share = contest.total_votes / final.total_votes
        seen[i] = (share, proj)
    # the first report (60 % counted, early and mail ballots, Trump at 43 %): within 2 points
    first = next(i for i, (share, _p) in seen.items() if share > 0.5)
    proj = seen[first][1]
    t = proj.candidate("trump")
    assert t.share is not None and t.lo is not None and t.hi is not None
    assert t.share_now < trump - 0.06
    assert abs(t.share - trump) < 0.02 and t.lo <= trump <= t.hi
    # its vote still out holds the truth
    out = final.total_votes - contests[first].total_votes
    assert proj.outstanding is not None and proj.outstanding.lo <= out <= proj.outstanding.hi
    # the end of the night: no county complete, yet the vote still out is not a county's worth
    for i in range(len(contests) - 10, len(contests)):
        share, proj = seen[i]
        assert proj.outstanding is not None
        assert proj.outstanding.expected < 0.02 * final.total_votes
