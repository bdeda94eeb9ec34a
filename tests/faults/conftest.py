"""A production-like portal for the fault tests: gunicorn with the production
settings, its own PostgreSQL server and the shared Redis, on loopback.

The PostgreSQL server is a throwaway cluster (``initdb`` into a temporary directory,
its own port) so the restart test restarts a real PostgreSQL server without
cutting the connections of every other test run on the machine (the other pytest
worker of the same suite included).
"""

import contextlib
import http.client
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "psql"))
needs_postgres = pytest.mark.skipif(
    not POSTGRES,
    reason="fault tests run in the PostgreSQL pass (DATABASE_URL=postgres://...): "
    "they start PostgreSQL and gunicorn, which the SQLite pass has not",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bindir() -> Path:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name),
    )
    if not versions:
        pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1].parent


class PostgresServer:
    """A PostgreSQL cluster in a temporary directory (trust auth, loopback only)."""

    def __init__(self):
        self.bindir = pg_bindir()
        self.directory = Path(tempfile.mkdtemp(prefix="lmsa-faults-pg-", dir="/tmp"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str, timeout: int = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run(
            [*prefix, *command],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd="/tmp",
        )

    def init(self) -> None:
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--no-sync",
            "--encoding=UTF8",
        )
        self.start()

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=100",
            action,
            *extra,
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again; returns once the
        server accepts connections."""
        self._pg_ctl("restart", "-m", "fast")

    def pause(self) -> None:
        """Stop (fast) and keep the data: ``start`` brings it back."""
        self._pg_ctl("stop", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, database: str, sql: str, *params):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []


def portal_environment(*, database_url: str, static_root: Path, port: int) -> dict:
    """The environment of ``bench/run.py``: production settings on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    redis = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/0")
    if not redis.startswith("redis"):
        redis = "redis://127.0.0.1:6379/0"
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.prod_settings",
        DJANGO_SECRET_KEY="faults-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CACHE_URL=redis,
        # Own keys in the shared Redis: no other run sees or clears them.
        FAULTS_CACHE_PREFIX=f"faults-{secrets.token_hex(6)}",
        EMAIL_URL="dummymail://",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="ERROR",
        FAULTS_STATIC_ROOT=str(static_root),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESSLOG="/dev/null",
        GUNICORN_WORKERS="3",
        GUNICORN_TIMEOUT="20",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Portal:
    """The migrated database, collected static files and the gunicorn launcher."""

    def __init__(self, server: PostgresServer, database: str, static_root: Path):
        self.server = server
        self.database = database
        self.static_root = static_root
        self.cache_prefix = None

    def environment(self, port: int) -> dict:
        env = portal_environment(
            database_url=self.server.url(self.database),
            static_root=self.static_root,
            port=port,
        )
        if self.cache_prefix is None:
            self.cache_prefix = env["FAULTS_CACHE_PREFIX"]
        env["FAULTS_CACHE_PREFIX"] = self.cache_prefix  # instances share counters
        return env

    @contextlib.contextmanager
    def gunicorn(self):
        """One gunicorn instance on a free loopback port; yields its port."""
        port = free_port()
        log = tempfile.TemporaryFile()
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "lmsa_portal.wsgi:application",
            ],
            cwd=ROOT,
            env=self.environment(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    pytest.fail("gunicorn exited:\n" + log.read().decode()[-4000:])
                with contextlib.suppress(OSError):
                    if get(port, "/healthz").status == 200:
                        break
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer within 60 s")
                time.sleep(0.2)
            yield port
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()

    def create_member(self, email: str, password: str) -> None:
        code = (
            "import datetime\n"
            "from allauth.account.models import EmailAddress\n"
            "from django.utils import timezone\n"
            "from members.models import Membership, User\n"
            f"user = User.objects.create_user(email={email!r}, password={password!r})\n"
            "EmailAddress.objects.create(user=user, email=user.email, primary=True,"
            " verified=True)\n"
            "Membership.objects.filter(user=user).update(status='approved',"
            " expires_on=timezone.localdate() + datetime.timedelta(days=200))\n"
        )
        manage(self.environment(free_port()), "shell", "-c", code)


@pytest.fixture(scope="module")
def postgres_server():
    server = PostgresServer()
    try:
        server.init()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def portal(postgres_server, tmp_path_factory):
    database = "lmsa_faults"
    postgres_server.query("postgres", f"CREATE DATABASE {database}")
    static_root = tmp_path_factory.mktemp("faults-static")
    portal = Portal(postgres_server, database, static_root)
    env = portal.environment(free_port())
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    return portal


# ------------------------------------------------------------------------------
# A small HTTP client: own source addresses, cookies kept by hand
# ------------------------------------------------------------------------------
class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read().decode("utf-8", errors="replace")

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


_sources = itertools.count(1)


def new_source() -> str:
    """A fresh loopback address (127.0.0.0/8), so per-IP limits count it alone."""
    number = next(_sources)
    return f"127.{10 + number // 65000 % 200}.{number // 250 % 250}.{number % 250 + 1}"


def request(
    port: int,
    method: str,
    path: str,
    *,
    data: dict | None = None,
    cookies: dict | None = None,
    source: str = "127.0.0.1",
    timeout: float = 20,
) -> Response:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if data is not None:
        body = urlencode(data, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        return Response(connection.getresponse())
    finally:
        connection.close()


def get(port: int, path: str, **kwargs) -> Response:
    return request(port, "GET", path, **kwargs)


def csrf(port: int, path: str, cookies: dict | None = None) -> tuple[dict, str]:
    """(cookies, token) for posting the form on ``path``."""
    page = get(port, path, cookies=cookies)
    assert page.status == 200, (path, page.status)
    jar = {**(cookies or {}), **page.cookies()}
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert match, f"no CSRF token on {path}"
    return jar, match.group(1)


def listserv_signup(port: int, email: str, *, cookies, token, source) -> Response:
    return request(
        port,
        "POST",
        "/listserv/",
        data={
            "csrfmiddlewaretoken": token,
            "name": "Fault Tester",
            "email": email,
            "role": "physician",
            "institution": "Loopback General",
            "state": "TX",
            "interests": ["1"],
            "consent": "on",
            "website": "",
        },
        cookies=cookies,
        source=source,
    )
