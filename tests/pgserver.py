"""A throwaway PostgreSQL server for one test session, from the installed server binaries.

pytest-postgresql's executor runs the server (`pg_ctl initdb`, `start`, `stop`) and its
janitor creates and drops one database per test. Its `postgresql_proc` fixture factory is
not used as is: it puts the cluster under pytest's temporary folder, which is private to
the user running pytest, and PostgreSQL refuses to run as root, which is how CI runs.
As root, every pg_ctl call goes through a small wrapper that drops to an unprivileged user
(`postgres`, which Debian's package creates, else `nobody`), and the cluster lives in a
folder of its own that this user owns.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_USERS = ("postgres", "nobody")  # who runs the server when pytest runs as root
SEARCHED = "pg_ctl on PATH or in /usr/lib/postgresql/*/bin"
# Durability is no concern for a throwaway cluster: skip the flushes.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_pg_ctl() -> str | None:
    """pg_ctl on PATH, else the newest Debian-style /usr/lib/postgresql/<version>/bin/pg_ctl."""
    found = shutil.which("pg_ctl")
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        match = re.search(r"/postgresql/([\d.]+)/bin/", path)
        return tuple(int(n) for n in match.group(1).split(".") if n) if match else ()

    installed = [p for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl") if os.access(p, os.X_OK)]
    return max(installed, key=version, default=None)


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None when one can."""
    if find_pg_ctl() is None:
        return f"no PostgreSQL server is installed (looked for {SEARCHED})"
    if os.geteuid() == 0 and _server_user() is None:
        return ("PostgreSQL does not run as root and none of the users "
                f"{', '.join(SERVER_USERS)} exists to run it")
    return None


def _server_user() -> pwd.struct_passwd | None:
    for name in SERVER_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


_WRAPPER = """#!{python} -I
# pg_ctl as {name}: PostgreSQL refuses to run as root.
import os, sys
os.initgroups({name!r}, {gid})
os.setgid({gid})
os.setuid({uid})
os.environ.update(HOME={home!r}, USER={name!r}, LOGNAME={name!r})
os.chdir({home!r})
os.execv({pg_ctl!r}, [{pg_ctl!r}, *sys.argv[1:]])
"""


class PostgreSQLServer:
    """A cluster in a fresh temporary folder on 127.0.0.1 at a free port, until `stop()`."""

    user = "postgres"  # the cluster's superuser (trust authentication on loopback)
    host = "127.0.0.1"

    def __init__(self) -> None:
        from mirakuru.exceptions import AlreadyRunning
        from port_for import get_port
        from pytest_postgresql.executors import PostgreSQLExecutor

        pg_ctl = find_pg_ctl()
        assert pg_ctl is not None, unavailable_reason()
        self.folder = Path(tempfile.mkdtemp(prefix="rabkor-pg-"))
        cluster = self.folder / "cluster"
        cluster.mkdir()
        executable = pg_ctl
        if os.geteuid() == 0:
            owner = _server_user()
            assert owner is not None, unavailable_reason()
            self.folder.chmod(0o755)  # the server's user must reach cluster/
            os.chown(cluster, owner.pw_uid, owner.pw_gid)
            cluster.chmod(0o700)
            wrapper = self.folder / "pg_ctl"
            wrapper.write_text(_WRAPPER.format(
                python=sys.executable, name=owner.pw_name, uid=owner.pw_uid,
                gid=owner.pw_gid, home=str(cluster), pg_ctl=pg_ctl))
            wrapper.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
            executable = str(wrapper)
        self._databases = itertools.count(1)
        for attempt in itertools.count(1):
            self.port = get_port(None)
            self.log = cluster / f"server-{self.port}.log"
            self.executor = PostgreSQLExecutor(
                executable=executable, host=self.host, port=self.port, user=self.user,
                datadir=str(cluster / f"data-{self.port}"), unixsocketdir=str(cluster),
                logfile=str(self.log), startparams="-w", dbname="rabkor",
                postgres_options=SERVER_OPTIONS, timeout=120)
            try:
                self.executor.start()
                return
            except BaseException as exc:
                log = self.log.read_text(errors="replace") if self.log.exists() else ""
                taken = isinstance(exc, AlreadyRunning) or "could not bind" in log
                if taken and attempt < 3:  # another process took the free port first
                    self._halt()
                    continue
                self.stop()
                raise RuntimeError(f"PostgreSQL ({pg_ctl}) did not start: {exc}\n"
                                   f"{log[-3000:]}") from exc

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new empty database, dropped afterwards; yields its SQLAlchemy URL."""
        from pytest_postgresql.janitor import DatabaseJanitor

        name = f"rabkor_test_{next(self._databases)}"
        with DatabaseJanitor(user=self.user, host=self.host, port=self.port, dbname=name):
            yield f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{name}"

    def _halt(self) -> None:
        if self.executor.running():
            self.executor.stop()

    def stop(self) -> None:
        try:
            self._halt()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
