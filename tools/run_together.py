"""Run commands together, as one: what `make run` uses to serve with its worker.

    python -m tools.run_together "make serve" "make worker"

Every command starts at once. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops them all with
that signal; when one exits by itself, the others are stopped with SIGTERM and this
exits non-zero (the command's status, or 1 if it exited with 0: a server that stops
on its own is a failure of the pair). Each command runs in a process group of its
own, so the signal reaches everything it started (make, gunicorn's master and
workers, the worker), which the terminal's Ctrl-C then no longer does; a group still
there ``STOP_TIMEOUT`` seconds after the signal is killed, so nothing outlives this.

Why not honcho (a Procfile runner on PyPI that does much the same): it exits with
the status of the first process to stop, so 0 when the worker or the server exits
cleanly on its own, and it would be a dependency and a Procfile beside the Makefile
for the one command that runs two processes on a developer's machine (production runs
each as a systemd unit). The rules above are this module's few lines, and the slow
test (tests/servers/test_make_run.py) holds them against the real pair.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time

STOP_TIMEOUT = 15.0
POLL = 0.1


def main(commands: list[str]) -> int:
    if not commands:
        print("usage: python -m tools.run_together COMMAND...", file=sys.stderr)
        return 2
    received: list[int] = []

    def on_signal(signum, frame):
        received.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    children = [
        subprocess.Popen(
            shlex.split(command), stdin=subprocess.DEVNULL, process_group=0
        )
        for command in commands
    ]
    while not received and all(child.poll() is None for child in children):
        time.sleep(POLL)
    ended = next((child for child in children if child.poll() is not None), None)
    stop_signal = received[0] if received else signal.SIGTERM
    stop(children, stop_signal)
    if received:
        return 128 + received[0]
    assert ended is not None
    name = commands[children.index(ended)]
    print(f"run_together: {name!r} exited ({ended.returncode}); stopped the others")
    return ended.returncode or 1


def stop(children: list[subprocess.Popen], signum: int) -> None:
    """``signum`` to each child's process group; SIGKILL to what is left after
    ``STOP_TIMEOUT``."""
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(deadline - time.monotonic(), 0))
    for child in children:
        # The group outlives its leader when a process of it did not stop.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
