"""Spike detectors shaped like river's drift detectors: feed one value per window.

Weekly seasonality: a value is compared with the values of the *same slot* (same hour of
the same weekday) in earlier weeks, so Monday-morning rush is not a spike. By default it
stays silent until two weeks are seen; with a shorter ``warmup`` it compares with the
recent windows until then.
"""

from __future__ import annotations

from collections import deque
from statistics import median


class SeasonalSpikeDetector:
    """Flag a value far above the robust seasonal baseline (median and MAD of the same slot).

    ``period`` is the number of windows in a week (168 for hourly windows). The score is
    z = (x − median) / scale with scale = max(1.4826·MAD, √median when ``poisson``,
    ``min_scale``): counts never look spiky only because their history was flat.

    >>> d = SeasonalSpikeDetector(period=2, weeks=3, threshold=3.0, warmup=4)
    >>> for x in [5, 1, 5, 1, 5, 1, 5]:
    ...     _ = d.update(x)
    >>> d.drift_detected
    False
    >>> d.update(1).update(9).drift_detected
    True
    """

    def __init__(
        self,
        period: int,
        weeks: int = 4,
        threshold: float = 4.0,
        *,
        poisson: bool = True,
        min_scale: float = 1.0,
        warmup: int | None = None,
    ) -> None:
        if period < 1 or weeks < 1:
            raise ValueError("period and weeks must be at least 1")
        self.period = period
        self.weeks = weeks
        self.threshold = threshold
        self.poisson = poisson
        self.min_scale = min_scale
        self.warmup = warmup if warmup is not None else 2 * period
        self._history: deque[float] = deque(maxlen=period * max(weeks, 2))
        self.n_seen = 0
        self.drift_detected = False
        self.expected = 0.0
        self.score = 0.0

    def _baseline(self) -> list[float]:
        history = list(self._history)
        same_slot = [history[-k * self.period] for k in range(1, self.weeks + 1)
                     if k * self.period <= len(history)]  # fmt: skip
        if len(same_slot) >= 2:
            return same_slot
        return history[-self.period :]

    def update(self, x: float) -> SeasonalSpikeDetector:
        """Take the next window's value; set ``drift_detected``, ``expected`` and ``score``."""
        baseline = self._baseline()
        self.drift_detected = False
        if baseline and self.n_seen >= self.warmup:
            center = median(baseline)
            mad = median(abs(v - center) for v in baseline)
            scale = max(1.4826 * mad, self.min_scale)
            if self.poisson:
                scale = max(scale, center**0.5)
            self.expected = center
            self.score = (x - center) / scale
            self.drift_detected = self.score >= self.threshold
        else:
            self.expected, self.score = x, 0.0
        self._history.append(x)
        self.n_seen += 1
        return self
