"""The fault proxy itself, against an echo server: each mode does what the outage
tests rely on."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.resilience.faultproxy import FaultProxy


@pytest.fixture
def echo() -> Iterator[tuple[str, int]]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=relay, args=(conn,), daemon=True).start()

    def relay(conn):
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()
    server.close()


@pytest.fixture
def proxy(echo) -> Iterator[FaultProxy]:
    with FaultProxy(echo) as proxy:
        yield proxy


# How long a read that must time out waits: what is relayed comes back in
# microseconds, so this proves nothing came while keeping the test fast. Reads
# that expect data wait up to 2 s, so a loaded machine does not fail them.
SILENCE = 0.3


def client(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection((proxy.host, proxy.port), timeout=2)


def test_pass_relays_both_ways(proxy):
    with client(proxy) as sock:
        sock.sendall(b"ping")
        assert sock.recv(16) == b"ping"


def test_refuse_refuses_new_connections_until_healed(proxy):
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((proxy.host, proxy.port), timeout=2)

    proxy.pass_through()
    with client(proxy) as sock:
        sock.sendall(b"back")
        assert sock.recv(16) == b"back"


def test_hang_accepts_but_answers_nothing_then_delivers_when_healed(proxy):
    with client(proxy) as before:
        before.sendall(b"linked")  # relayed: the proxy has connected it upstream
        assert before.recv(16) == b"linked"
        proxy.hang()
        with client(proxy) as during:
            during.sendall(b"lost")
            during.settimeout(SILENCE)
            with pytest.raises(TimeoutError):
                during.recv(16)
        before.sendall(b"held")
        before.settimeout(SILENCE)
        with pytest.raises(TimeoutError):
            before.recv(16)

        proxy.pass_through()
        before.settimeout(2)
        assert before.recv(16) == b"held"


def test_cut_closes_open_connections_and_keeps_listening(proxy):
    with client(proxy) as sock:
        sock.sendall(b"x")
        assert sock.recv(16) == b"x"
        proxy.cut()
        assert sock.recv(16) == b""
    with client(proxy) as sock:
        sock.sendall(b"y")
        assert sock.recv(16) == b"y"
