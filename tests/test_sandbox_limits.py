"""Limits and calibrated time limits: pure functions and argument checks."""

from __future__ import annotations

import pytest

from azr_actors.sandbox import DEFAULT_FLOOR_S, Limits, SandboxPool, calibrated_time_limit, wall_cap


def test_calibrated_time_limit_is_max_of_floor_and_scaled_reference() -> None:
    assert calibrated_time_limit(0.001) == DEFAULT_FLOOR_S
    assert calibrated_time_limit(0.2, floor_s=0.1, factor=4.0) == pytest.approx(0.8)
    with pytest.raises(ValueError, match="reference_s must be >= 0"):
        calibrated_time_limit(-1.0)


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match=r"Limits\.wall_s must be positive"):
        Limits(wall_s=0)
    with pytest.raises(ValueError, match="isolation must be one of"):
        SandboxPool(isolation="chroot")


def test_the_wall_cap_leaves_room_for_a_starved_sample() -> None:
    assert wall_cap(0.1) == pytest.approx(0.7)
    assert wall_cap(3.0) == pytest.approx(6.5)
