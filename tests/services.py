# house: 412 lines: one module starts each real service the tests use (Redis, PostgreSQL, S3 on moto), each beside its own fallback
"""Real services on loopback for the tests: Redis, PostgreSQL and an S3-compatible server.

Redis and PostgreSQL: the machine's own on 127.0.0.1:6379 / :5432 when they answer; otherwise
the suite starts its own (redis-server; initdb + postgres from /usr/lib/postgresql/*/bin) in a
temporary directory. If neither works the fixture FAILS: a needed service that is absent is an
error, never a skip. S3: moto's server (``python -m moto.server``) on a free loopback port;
it speaks every S3 call sohoa makes except MinIO's bucket notifications.

Also here: ``ServiceProcess`` helpers that tests stop and start (an own redis-server, a TCP
proxy that makes a server unreachable and reachable again) and ``sohoa_env`` for processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
__all__ = [  # the fixtures conftest.py takes in
    "moto_server",
    "postgres_admin_url",
    "postgres_url",
    "queue_namespace",
    "redis_base_url",
    "redis_url",
    "s3_place",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def answers(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; a bounded loop, never forever."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(interval)


# -- Redis ---------------------------------------------------------------------------------


class RedisServer:
    """An own redis-server that a test may stop and start again; AOF keeps its data."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory, self.port = directory, port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--bind", LOOPBACK, "--port", str(self.port), "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", "always"]
        command += ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until(lambda: answers(self.port), timeout=20, what="redis-server")
        return self

    def stop(self) -> None:
        """A clean shutdown: the AOF is flushed, as a supervisor's SIGTERM would do."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture(scope="session")
def redis_base_url(tmp_path_factory) -> Iterator[str]:
    if answers(6379):
        yield f"redis://{LOOPBACK}:6379"
        return
    if shutil.which("redis-server") is None:
        pytest.fail("Redis is not running on 127.0.0.1:6379 and redis-server is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield f"redis://{LOOPBACK}:{server.port}"
    server.stop()


@pytest.fixture
def redis_url(redis_base_url) -> str:
    """Database 15 of the test Redis, pinged (a Redis that does not answer fails the test)."""
    import redis

    url = f"{redis_base_url}/15"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {redis_base_url} does not answer: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture
def queue_namespace(redis_url) -> Iterator[str]:
    """A namespace of the broker's keys for one test, emptied before and after it. Not a
    FLUSHDB: other test runs on this machine share the Redis and must not lose their keys."""
    import redis

    namespace = f"sohoa-test-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)

    def flush() -> None:
        keys = list(client.scan_iter(f"{namespace}:*"))
        if keys:
            client.delete(*keys)

    flush()
    yield namespace
    flush()
    client.close()


# -- PostgreSQL ----------------------------------------------------------------------------


def _start_own_postgres(directory: Path, password: str | None = None) -> tuple[int, list[str]]:
    """initdb + postgres in ``directory`` (outside pytest's 0700 folders, since as root the
    server runs as the postgres user); returns the port and the command that stops it.
    With ``password``, the postgres role has it and every connection must give it (SCRAM)."""
    binaries = sorted(glob("/usr/lib/postgresql/*/bin"))
    if not binaries:
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 and is not installed")
    bin_dir, port = Path(binaries[-1]), free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(directory, "postgres")
    data = directory / "data"
    auth = ["-A", "trust"]
    if password is not None:
        (directory / "initdb-password").write_text(password + "\n")
        if run_as:
            shutil.chown(directory / "initdb-password", "postgres")
        auth = ["-A", "scram-sha-256", f"--pwfile={directory / 'initdb-password'}"]
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), *auth, "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.Popen(
        [*run_as, str(bin_dir / "postgres"), "-D", str(data), "-h", LOOPBACK, "-p", str(port)]
        + ["-k", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until(lambda: answers(port), timeout=30, what="postgres")
    return port, [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "stop", "-m", "fast"]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    import tempfile

    import psycopg

    url, stop = f"postgresql://postgres@{LOOPBACK}:5432/postgres", None
    if not answers(5432):
        directory = Path(tempfile.mkdtemp(prefix="sohoa-test-pg-"))
        port, stop = _start_own_postgres(directory)
        url = f"postgresql://postgres@{LOOPBACK}:{port}/postgres"
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL at {url} does not answer: {exc}")
    yield url
    if stop is not None:
        subprocess.run(stop, capture_output=True, timeout=60)


@pytest.fixture
def postgres_url(postgres_admin_url) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    import psycopg

    name = f"sohoa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- S3 --------------------------------------------------------------------------------------


class MotoServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> MotoServer:
        command = [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(self.port)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until(lambda: answers(self.port), timeout=60, what="moto server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer().start()
    yield server
    server.stop()


@dataclass(frozen=True)
class S3Place:
    """Where one test's S3 objects live: its own buckets, credentials in files."""

    endpoint: str
    buckets: dict[str, str]
    access_key_file: Path
    secret_key_file: Path

    @property
    def url(self) -> str:
        return f"s3://{self.endpoint}"

    def env(self) -> dict[str, str]:
        env = {
            "SOHOA_STORE_URL": self.url,
            "SOHOA_S3__ACCESS_KEY_FILE": str(self.access_key_file),
            "SOHOA_S3__SECRET_KEY_FILE": str(self.secret_key_file),
        }
        for role, bucket in self.buckets.items():
            env[f"SOHOA_S3__BUCKETS__{role.upper()}"] = bucket
        return env

    def settings(self, **overrides):
        from schemas.settings import load_settings

        return load_settings(self.env(), **overrides)

    def store(self):
        from storage.places import open_store

        settings = self.settings()
        return open_store(settings.resolved_store_url, settings.s3)


def make_s3_place(endpoint: str, directory: Path) -> S3Place:
    tag = uuid.uuid4().hex[:10]
    (directory / "s3-access").write_text("sohoa-test\n")
    (directory / "s3-secret").write_text("sohoa-test-secret\n")
    buckets = {r: f"t{tag}-{r}" for r in ("intake", "originals", "results", "quarantine")}
    place = S3Place(endpoint, buckets, directory / "s3-access", directory / "s3-secret")
    place.store().create_buckets()
    return place


@pytest.fixture
def s3_place(moto_server, tmp_path) -> S3Place:
    return make_s3_place(moto_server.endpoint, tmp_path)


# -- a TCP proxy: a server that goes away and comes back ---------------------------------------


class TcpProxy:
    """Forwards a loopback port to a server; ``down()`` refuses and cuts every connection,
    ``up()`` accepts again on the same port."""

    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port, self.port = target_port, port or free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def up(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def down(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: down()
            try:
                server = socket.create_connection((LOOPBACK, self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


# -- sohoa processes ---------------------------------------------------------------------------


def sohoa_env(**values: str) -> dict[str, str]:
    """A clean environment for a sohoa process: PATH, the values given, nothing else SOHOA_."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "COLUMNS": "200"}
    env["PYTHONPATH"] = str(REPO)
    env.update(values)
    return env


def start_sohoa(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=REPO,
        start_new_session=True,
    )


def children_of(pid: int) -> list[int]:
    """The processes ``pid`` started, from any of its threads (a job's threads start qpdf)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the process group a test started, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait(timeout=10)
