"""The dispatcher loop: deliver due notifications and escalate unanswered ones, until stopped.

`ceasefire serve` runs it in a process of its own, which it starts, restarts if it dies,
and stops with itself (so that delivery and the web app do not share one interpreter's
lock); `ceasefire worker` runs it on its own. On PostgreSQL several may run at once (rows
are claimed with SKIP LOCKED)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading

from ceasefire.config import Settings
from ceasefire.delivery import channels, messages
from ceasefire.services import cases, groups, notifications, reports
from ceasefire.services.deployment import Deployment, open_deployment

logger = logging.getLogger("ceasefire.delivery")


def run_once(dep: Deployment) -> int:
    """One round: escalate what is overdue (notifications, cases, commitments; remind those
    coming due), send the day's situation report once its cut-off has passed, then deliver
    everything due (to the desks, then to residents); return deliveries."""
    notifications.escalate_overdue(dep)
    cases.escalate_overdue(dep)
    groups.remind_commitments(dep)
    if dep.daily_reports:
        reports.send_daily(dep)
    delivered = 0
    while tried := notifications.deliver_due(dep, channels.send, messages.render):
        delivered += tried
    while tried := cases.deliver_to_residents(
        dep, channels.send_to_resident, messages.resident_message
    ):
        delivered += tried
    return delivered


def run(dep: Deployment, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_once(dep)
        except Exception:  # keep delivering through a bad moment; the error is logged
            logger.exception("the dispatcher failed; retrying")
        stop.wait(interval)


STOP_SECONDS = 15.0
"""How long a stopping dispatcher process may take to finish its round before it is killed."""
RESTART_SECONDS = 1.0


def dispatch_process(settings: Settings) -> None:
    """The dispatcher process `serve` starts: runs until SIGTERM, or until its parent is gone
    (a `serve` killed outright leaves no dispatcher behind)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches serve, which stops us
    parent = os.getppid()

    def watch_parent() -> None:
        while not stop.wait(RESTART_SECONDS):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    run(open_deployment(settings), settings.dispatch_interval_seconds, stop)


def supervise(settings: Settings, stop: threading.Event) -> None:
    """Keep one dispatcher process running until `stop`; then let it finish its round."""
    spawn = multiprocessing.get_context("spawn")  # not fork: this process has threads
    while not stop.is_set():
        process = spawn.Process(
            target=dispatch_process, args=(settings,), name="ceasefire-dispatcher", daemon=True
        )
        process.start()
        while process.is_alive() and not stop.wait(RESTART_SECONDS):
            pass
        if stop.is_set():
            process.terminate()
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
            return
        logger.error("the dispatcher process exited (code %s); starting another", process.exitcode)
        stop.wait(RESTART_SECONDS)
