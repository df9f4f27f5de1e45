"""Calling the WSGI application directly (httpx's WSGITransport), as Django's test client does."""

from contextlib import contextmanager

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@contextmanager
def connections_kept_open():
    """A request must not close (or, without database access, even touch) the test's connections."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
