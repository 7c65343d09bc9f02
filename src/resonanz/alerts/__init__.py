"""Crisis and spike alerts: seasonal detectors per rule, summaries, in-app/webhook/e-mail."""

from __future__ import annotations

from resonanz.alerts.detectors import SeasonalSpikeDetector
from resonanz.alerts.service import list_alerts, run_alerts, send_test

__all__ = ["SeasonalSpikeDetector", "list_alerts", "run_alerts", "send_test"]
