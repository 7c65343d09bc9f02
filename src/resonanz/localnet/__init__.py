"""Local servers that speak the networks' protocols (Mastodon, Bluesky, Reddit, HN, RSS).

They serve recorded or simulated payloads in each platform's real JSON format over real HTTP
and WebSocket on loopback, so connectors, publishers and ``resonanz listen`` can be tried and
tested offline. The read side lives in ``<network>.py``, the write side (publishing, replies)
in ``<network>_write.py``; ``app.py`` assembles both.
"""
