"""A fault-injecting TCP proxy for outage tests.

Put between the app and a real server (PostgreSQL, Redis), it relays bytes until a
test tells it to fail, so an outage can be made on demand without touching the
machine's shared servers:

- ``pass_through()``: relay both ways (the start state; also heals every fault);
- ``refuse()``: close the listening socket, so new connections are refused
  (``ECONNREFUSED``), as with a stopped server; open connections are left alone
  (``cut()`` them too for a server that went away);
- ``hang()``: accept new connections but never connect them upstream, and stop
  relaying on open ones (bytes are read and held), as with a server or network that
  stopped answering while the kernel still acknowledges packets;
- ``cut()``: close every open connection at once (both sides), as a restarted or
  failed-over server does; the listener stays.

Healing a hang delivers the bytes held meanwhile (a partition that heals); the
connections accepted during the hang, never connected upstream, are closed.

One thread accepts; two threads per connection relay. Everything runs in the test
process, so the proxy dies with it.
"""

from __future__ import annotations

import contextlib
import socket
import threading

__all__ = ["FaultProxy"]

CHUNK = 65536


class _Link:
    """One proxied connection: the client's socket and the upstream one."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream):
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.closed = False

    def start(self) -> None:
        for source, target in (
            (self.client, self.upstream),
            (self.upstream, self.client),
        ):
            threading.Thread(
                target=self._relay, args=(source, target), daemon=True
            ).start()

    def _relay(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                # Held while the proxy hangs; delivered when it heals.
                self.proxy._flowing.wait()
                if self.closed:
                    break
                target.sendall(data)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        with self.proxy._lock:
            if self.closed:
                return
            self.closed = True
            self.proxy._links.discard(self)
        for sock in (self.client, self.upstream):
            _close(sock)


class FaultProxy:
    """``with FaultProxy(("127.0.0.1", 5432)) as proxy:`` listens on
    ``proxy.host``:``proxy.port`` and relays to the upstream address."""

    def __init__(self, upstream: tuple[str, int], *, connect_timeout: float = 2.0):
        self.upstream = upstream
        self.connect_timeout = connect_timeout
        self.host = "127.0.0.1"
        self.port = 0
        self.mode = "closed"
        self.accepted = 0
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._held: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._flowing = threading.Event()
        self._flowing.set()

    # Life cycle.

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> None:
        self._listen()
        self.mode = "pass"

    def close(self) -> None:
        """Stop listening and close every connection (also the held ones)."""
        self._stop_listening()
        self.cut()
        self._release_held()
        self._flowing.set()
        self.mode = "closed"

    # Faults.

    def pass_through(self) -> None:
        """Relay again: listen if refusing, deliver what a hang held back."""
        if self._listener is None:
            self._listen()
        self._release_held()
        self.mode = "pass"
        self._flowing.set()

    def refuse(self) -> None:
        self._stop_listening()
        self.mode = "refuse"

    def hang(self) -> None:
        if self._listener is None:
            self._listen()
        self._flowing.clear()
        self.mode = "hang"

    def cut(self) -> None:
        with self._lock:
            links = list(self._links)
        for link in links:
            link.close()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._links)

    # Internals.

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The same port after a refusal: clients keep the address they were given.
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone may not.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            self.accepted += 1
            if self.mode == "hang":
                with self._lock:
                    self._held.append(client)
                continue
            try:
                upstream = socket.create_connection(
                    self.upstream, timeout=self.connect_timeout
                )
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, upstream)
            with self._lock:
                self._links.add(link)
            link.start()

    def _release_held(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for sock in held:
            _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
