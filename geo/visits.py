"""How many page runs one browser session may ask for. A visitor changes a control about once a second at most;
a crafted client can ask for run after run over one websocket (Streamlit folds requests that arrive during a run
into one, so it asks again after each) and keep a core busy for everyone (issue 23.4). Past RUNS_PER_WINDOW runs
within WINDOW_SECONDS a session's runs stop at the top of the page, before any work, with a short notice; the
budget refills after a quiet window. A full explorer run costs ~0.4 s of CPU, so one session can take at most
~40 % of a core, and a stopped run costs a few milliseconds.
"""

from __future__ import annotations

from collections import deque

RUNS_PER_WINDOW = 10
WINDOW_SECONDS = 10.0


def allow_run(times: deque, now: float, limit: int = RUNS_PER_WINDOW, window: float = WINDOW_SECONDS) -> bool:
    """Record a run at `now` in `times` (the session's recent runs, oldest first) and say whether it may go on.
    Refused runs are recorded too, so that a flood keeps itself refused until it stops."""
    while times and now - times[0] > window:
        times.popleft()
    times.append(now)
    while len(times) > 4 * limit:  # memory stays bounded whatever a client sends
        times.popleft()
    return len(times) <= limit
