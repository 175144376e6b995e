"""The reconstructed-night banner says its sentence once (issue 18: on a served reconstruction the
election's name already carries the note, and the live banner repeated it)."""

from __future__ import annotations

import pytest

from tracker.ui.main_window import RECONSTRUCTED_NOTE, reconstructed_banner

pytestmark = pytest.mark.gui

NOTE = "Reconstructed from certified precinct results — not the original feed"


def test_a_name_that_carries_the_note_is_not_followed_by_it_again() -> None:
    name = (
        "Georgia 6th district special election runoff"
        " — reconstructed from certified precinct results — not the original feed"
    )
    text = reconstructed_banner(name, NOTE)
    assert text.lower().count("not the original feed") == 1
    assert "Georgia 6th district special election runoff" in text


def test_a_name_without_the_note_gets_it_and_a_missing_note_the_generic_one() -> None:
    assert f"Runoff — {NOTE}" in reconstructed_banner("Runoff", NOTE + ".")
    assert f"Runoff — {RECONSTRUCTED_NOTE}" in reconstructed_banner("Runoff", "")


def test_the_feeds_words_are_escaped() -> None:
    text = reconstructed_banner("<i>Runoff</i>", "")
    assert "<i>" not in text and "&lt;i&gt;" in text
