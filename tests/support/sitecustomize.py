"""Loaded by tests that must prove a command makes no network connection.

Any attempt to open an internet socket (IPv4 or IPv6) raises; local Unix
sockets stay allowed. Used together with a network namespace when available.
"""

import socket

_original_connect = socket.socket.connect


def _refuse(self, address):  # pragma: no cover - only runs in the child process
    if self.family in (socket.AF_INET, socket.AF_INET6):
        raise OSError(f"network access attempted during an offline step: {address!r}")
    return _original_connect(self, address)


socket.socket.connect = _refuse
socket.create_connection = lambda *args, **kwargs: _refuse(socket.socket(), args[0] if args else None)
