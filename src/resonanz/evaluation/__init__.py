"""Evaluation harness: labelled research sets, official metrics, baselines side by side."""

from __future__ import annotations
