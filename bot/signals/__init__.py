"""Signals: pure functions of recent messages. No I/O, no database, no platform code.

- ``questions``: is this message a question?
- ``links``: which earlier message does this one respond to?
- ``thanks``: is this a thank-you, or a non-answer ("+1", "same here", a counter-question)?
- ``emoji``: one spelling for every reaction emoji.
"""
