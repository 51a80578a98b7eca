"""`make run` serves with its background worker: the pair it starts after preparing
(`make serve-all`: `make serve` and `make worker` under tools/run_together.py) runs
both, stops both on Ctrl-C, and when one of them dies stops the other and fails.

The real `make serve-all` in a session of its own, on a copy of a migrated demo
database and a file cache of its own (the install and prepare steps of `make run`
are left out: they are what `make install` and the other tests cover). Ctrl-C is what
a terminal sends: SIGINT to the foreground process group, make's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servers.conftest import (
    ROOT,
    START_TIMEOUT,
    embedded_env,
    ensure_static_manifest,
    free_port,
)

STOP_TIMEOUT = 30.0


def session_processes(session: int) -> dict[int, str]:
    """pid → command line of every live process of the session (zombies excluded)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if os.getsid(pid) != session:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        if state != "Z":
            found[pid] = command
    return found


@pytest.fixture
def make_run(embedded_databases, tmp_path):
    """``make serve-all`` running, both processes up: (process, port, folder)."""
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copyfile(embedded_databases["demo"], folder / "db.sqlite3")
    env = embedded_env(folder)
    ensure_static_manifest(env)
    port = free_port()
    log = folder / "make.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "serve-all",
                f"VENV={Path(sys.executable).parent.parent}",
                f"PORT={port}",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            commands = session_processes(process.pid).values()
            with contextlib.suppress(requests.RequestException):
                answer = requests.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
                if answer.status_code == 200 and any(map(is_worker, commands)):
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make serve-all did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield process, port, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in session_processes(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def is_worker(command: str) -> bool:
    """The worker's Python process (not make, nor a shell around it)."""
    words = command.split()
    return bool(words) and "python" in Path(words[0]).name and "db_worker" in words


def gone(session: int) -> dict[int, str]:
    """Wait for every process of the session to end; what is left after
    STOP_TIMEOUT."""
    deadline = time.monotonic() + STOP_TIMEOUT
    while (left := session_processes(session)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_ctrl_c_stops_the_server_and_the_worker(make_run):
    process, _port, log = make_run
    commands = session_processes(process.pid).values()
    assert any("gunicorn" in command for command in commands), commands
    assert any(map(is_worker, commands)), commands

    os.killpg(process.pid, signal.SIGINT)

    process.wait(timeout=STOP_TIMEOUT)
    assert gone(process.pid) == {}, log.read_text()


def test_when_the_worker_dies_the_server_is_stopped_and_make_fails(make_run):
    process, port, log = make_run
    worker = next(
        pid
        for pid, command in session_processes(process.pid).items()
        if is_worker(command)
    )

    os.kill(worker, signal.SIGKILL)

    assert process.wait(timeout=STOP_TIMEOUT) != 0
    assert gone(process.pid) == {}, log.read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
