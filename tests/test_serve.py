"""`ceasefire serve` as a user runs it: its dispatcher process delivers, is started again when
it dies, and goes when `serve` stops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from ceasefire.config import Settings
from ceasefire.pack import read_pack
from ceasefire.services import accounts, incidents, scenarios
from ceasefire.services.deployment import Deployment, initialise, open_deployment
from ceasefire.store.accounts import user_by_name
from ceasefire.store.db import Database

from .builders import DAYTIME, violation_draft
from .conftest import REFERENCE_PACK, require
from .conftest import _postgres_database as postgres_database
from .mail import Mailbox, free_port

CEASEFIRE = Path(sys.executable).with_name("ceasefire")
WAIT_SECONDS = 30.0
T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str) -> T:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError(f"gave up after {WAIT_SECONDS:.0f} s waiting for {what}")


def dispatchers_of(parent: int) -> set[int]:
    """The dispatcher processes `serve` started (multiprocessing's spawned children)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = stat.with_name("cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == parent and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def prepare(
    tmp_path: Path, mailbox: Mailbox, database_url: str
) -> tuple[Deployment, dict[str, str]]:
    """A fresh deployment with the demo users, and the environment `serve` needs to run it
    with the Armenian ministry's desk wired to the mailbox."""
    require(Path("/proc").is_dir(), "Linux's /proc (to find serve's dispatcher process)")
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=database_url,
        scenario=REFERENCE_PACK,
        secret_key="test-secret-" + uuid.uuid4().hex,
    )
    db = Database(settings.resolved_database_url)
    initialise(settings, db, read_pack(REFERENCE_PACK))
    dep = open_deployment(settings, db)
    scenarios.load_demo_users(dep)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEASEFIRE_")}
    env.update(
        CEASEFIRE_CONFIG=str(tmp_path / "absent.toml"),
        CEASEFIRE_DATA_DIR=str(settings.data_dir),
        CEASEFIRE_DATABASE_URL=settings.resolved_database_url,
        CEASEFIRE_SCENARIO=str(REFERENCE_PACK),
        CEASEFIRE_SECRET_KEY=settings.secret_key,
        CEASEFIRE_HOST="127.0.0.1",
        CEASEFIRE_PORT=str(free_port()),
        CEASEFIRE_CONTACT_CHANNELS=json.dumps(
            {"mod-armenia-duty": [mailbox.url("mod-armenia-duty@demo.invalid")]}
        ),
        CEASEFIRE_DAILY_REPORTS="false",  # the mailbox counts the incidents' messages only
    )
    return dep, env


@pytest.fixture
def deployment(tmp_path: Path, mailbox: Mailbox) -> Iterator[tuple[Deployment, dict[str, str]]]:
    dep, env = prepare(tmp_path, mailbox, f"sqlite:///{tmp_path / 'serve.db'}")
    yield dep, env
    dep.db.dispose()


@pytest.fixture
def postgres_deployment(
    tmp_path: Path, mailbox: Mailbox
) -> Iterator[tuple[Deployment, dict[str, str]]]:
    for url in postgres_database():
        dep, env = prepare(tmp_path, mailbox, url)
        yield dep, env
        dep.db.dispose()


def report(dep: Deployment) -> None:
    """A violation by the monitoring centre's Russian staff: the Armenian ministry is told."""
    with dep.db.read() as conn:
        monitor = user_by_name(conn, "jmc.ru.monitor")
    assert monitor is not None
    draft = violation_draft(DAYTIME)
    incidents.report_incident(dep, accounts.viewer_of(monitor), draft, now=DAYTIME)


def test_serve_restarts_its_dispatcher_and_takes_it_along_when_it_stops(
    deployment: tuple[Deployment, dict[str, str]], mailbox: Mailbox, tmp_path: Path
) -> None:
    dep, env = deployment
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen([str(CEASEFIRE), "serve"], env=env, stdout=log, stderr=log)
    try:
        first = wait_until(lambda: dispatchers_of(serve.pid), "the dispatcher process")
        report(dep)
        wait_until(lambda: len(mailbox.received) == 1, "the first message")

        (dead,) = first
        os.kill(dead, signal.SIGKILL)
        wait_until(lambda: dispatchers_of(serve.pid) - {dead}, "a new dispatcher process")
        report(dep)
        wait_until(lambda: len(mailbox.received) == 2, "the message after the restart")
        assert serve.poll() is None  # serve itself went on

        (last,) = dispatchers_of(serve.pid)
        serve.send_signal(signal.SIGTERM)
        # uvicorn shuts down, then re-raises the signal so that the exit status tells it
        assert serve.wait(timeout=WAIT_SECONDS) == -signal.SIGTERM
        wait_until(lambda: not alive(last), "the dispatcher to stop with serve")
    finally:
        if serve.poll() is None:
            serve.kill()
        log.close()
    said = (tmp_path / "serve.log").read_bytes()
    assert b"the dispatcher process exited" in said
    assert b"Finished server process" in said  # a graceful shutdown, not a kill


def answers(env: dict[str, str]) -> bool:
    try:
        url = f"http://127.0.0.1:{env['CEASEFIRE_PORT']}/login"
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_several_web_processes_on_postgresql_with_the_dispatcher_in_a_worker(
    postgres_deployment: tuple[Deployment, dict[str, str]], mailbox: Mailbox, tmp_path: Path
) -> None:
    dep, env = postgres_deployment
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [str(CEASEFIRE), "serve", "--workers", "2", "--no-dispatch"],
        env=env,
        stdout=log,
        stderr=log,
    )
    worker: subprocess.Popen[bytes] | None = None
    try:
        wait_until(lambda: answers(env), "serve to answer")
        # uvicorn's two web processes are the only processes serve started: no dispatcher
        wait_until(lambda: len(dispatchers_of(serve.pid)) == 2, "two web processes")
        report(dep)
        time.sleep(2 * Settings().dispatch_interval_seconds + 1)
        assert mailbox.received == []  # nobody delivers yet
        worker = subprocess.Popen([str(CEASEFIRE), "worker"], env=env, stdout=log, stderr=log)
        wait_until(lambda: len(mailbox.received) == 1, "the message from `ceasefire worker`")
        assert len(dispatchers_of(serve.pid)) == 2
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=WAIT_SECONDS)
    finally:
        for process in (serve, worker):
            if process is not None and process.poll() is None:
                process.kill()
        log.close()


def test_several_web_processes_are_refused_on_sqlite(
    deployment: tuple[Deployment, dict[str, str]],
) -> None:
    _dep, env = deployment
    done = subprocess.run(
        [str(CEASEFIRE), "serve", "--workers", "2"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "--workers" in done.stderr and "PostgreSQL" in done.stderr
