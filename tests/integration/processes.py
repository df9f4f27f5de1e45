"""Real processes for the tests that need them: a Celery worker, a marketplace server,
a private Redis. Each points at the test databases pytest-django created."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]
ENV_BY_ALIAS = {
    "default": "DATABASE_URL",
    "storefront": "STOREFRONT_DATABASE_URL",
    "marketplace": "MARKETPLACE_DATABASE_URL",
}
SERVICE_TOKEN = "test-service-token"


def database_url(alias: str) -> str:
    s = connections[alias].settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment(**extra: str) -> dict[str, str]:
    """This process's environment, on the test databases, plus `extra`."""
    return {**os.environ, **{var: database_url(alias) for alias, var in ENV_BY_ALIAS.items()}, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_worker(*, beat_schedule: Path | None = None, queues: str = "", **env: str) -> subprocess.Popen:
    """A solo Celery worker (one task at a time), with beat when `beat_schedule` is given,
    on the queues named (comma-separated; Celery's default queue when none)."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning"]
    if queues:
        command += ["-Q", queues]
    if beat_schedule is not None:
        command += ["--beat", "--schedule", str(beat_schedule)]
    return subprocess.Popen(command, cwd=ROOT, env=environment(**env))


def start_server(**env: str) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the whole site with `env` on top of the test databases; its base URL."""
    port = int(env.pop("PORT", 0)) or free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=environment(**env))
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    if not wait_for(answers, timeout=30):
        stop(server)
        raise RuntimeError(f"the server on port {port} did not start")
    return server, base


def start_marketplace_server() -> tuple[subprocess.Popen, str]:
    """The site, whose storefront is called only through /internal/marketplace/v1/."""
    server, base = start_server(MARKETPLACE_SERVICE_TOKEN=SERVICE_TOKEN, INTEGRATION_TRANSPORT="inprocess")
    return server, f"{base}/internal/marketplace/v1/"


@contextmanager
def private_redis():
    """A redis-server of our own on a free port, so stopping it disturbs nobody."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    def start() -> subprocess.Popen:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(lambda: _redis_answers(port), timeout=10)
        return process

    holder = {"process": start()}

    class Handle:
        url = f"redis://127.0.0.1:{port}/0"

        @staticmethod
        def stop() -> None:
            stop(holder["process"])

        @staticmethod
        def start() -> None:
            holder["process"] = start()

    try:
        yield Handle
    finally:
        stop(holder["process"])


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
