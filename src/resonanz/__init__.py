"""Resonanz: social media listening and engagement in one self-hosted tool.

Importing the package tunes the process's memory allocators for batch work
(:mod:`resonanz.heap`): one setting must come before other threads allocate.
"""

from resonanz.heap import tune_heap as _tune_heap

_tune_heap()
