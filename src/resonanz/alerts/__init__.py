"""Crisis and spike alerts: seasonal detectors per rule, summaries, in-app/webhook/e-mail.

The parts live in ``detectors``, ``rules``, ``summary``, ``delivery`` and ``service``; this
package imports none of them, so reading settings stays cheap.
"""
