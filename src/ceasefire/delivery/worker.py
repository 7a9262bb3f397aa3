"""The dispatcher loop: deliver due notifications and escalate unanswered ones, until stopped.

It runs inside `ceasefire serve` by default, or on its own as `ceasefire worker`; on
PostgreSQL several may run at once (rows are claimed with SKIP LOCKED)."""

from __future__ import annotations

import logging
import threading

from ceasefire.delivery import channels, messages
from ceasefire.services import notifications
from ceasefire.services.deployment import Deployment

logger = logging.getLogger("ceasefire.delivery")


def run_once(dep: Deployment) -> int:
    """One round: escalate what is overdue, then deliver everything due; return deliveries."""
    notifications.escalate_overdue(dep)
    delivered = 0
    while tried := notifications.deliver_due(dep, channels.send, messages.render):
        delivered += tried
    return delivered


def run(dep: Deployment, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            run_once(dep)
        except Exception:  # keep delivering through a bad moment; the error is logged
            logger.exception("the dispatcher failed; retrying")
        stop.wait(interval)
