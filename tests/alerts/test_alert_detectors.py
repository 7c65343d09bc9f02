"""The seasonal spike detector: weekly rhythm is no spike, a real jump is."""

from __future__ import annotations

import random

from resonanz.alerts.detectors import SeasonalSpikeDetector


def _week(rng: random.Random) -> list[float]:
    """Hourly counts: busy weekday office hours, quiet nights and weekends."""
    out = []
    for hour in range(168):
        busy = hour % 24 in range(8, 18) and hour < 120
        out.append(float(rng.randint(40, 50) if busy else rng.randint(5, 10)))
    return out


def test_weekly_rhythm_does_not_fire_but_a_spike_does() -> None:
    rng = random.Random(1)
    detector = SeasonalSpikeDetector(period=168, weeks=4, threshold=4.0)
    fired = []
    for week in range(5):
        for hour, value in enumerate(_week(rng)):
            if detector.update(value).drift_detected:
                fired.append((week, hour))
    assert fired == []
    detector.update(1.0)  # Monday 00:00
    detector.update(40.0)  # Monday 01:00, usually 5–10
    assert detector.drift_detected
    assert 5 <= detector.expected <= 10
    assert detector.score > 4


def test_share_detector_uses_a_floor() -> None:
    detector = SeasonalSpikeDetector(period=4, weeks=2, threshold=3.0, poisson=False,
                                     min_scale=0.05, warmup=4)  # fmt: skip
    for value in [0.1] * 12:
        detector.update(value)
    assert not detector.update(0.2).drift_detected  # 2 floors above: not enough
    assert detector.update(0.9).drift_detected
