"""Building the ASGI application: API, pages, static files, sessions and error handling."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from ceasefire import __version__
from ceasefire.config import Settings
from ceasefire.intake import openrosa
from ceasefire.services.deployment import Deployment, open_deployment
from ceasefire.web import (
    aid_pages,
    case_pages,
    desk_pages,
    errors,
    group_pages,
    household_pages,
    intake_pages,
    movement_pages,
    notice_pages,
    pages,
    programme_pages,
    report_pages,
)
from ceasefire.web import openrosa as openrosa_server
from ceasefire.web.api import (
    aid,
    attachments,
    cases,
    geography,
    groups,
    incidents,
    intake,
    log,
    messaging,
    movements,
    notices,
    notifications,
    reference,
    reports,
)
from ceasefire.web.deps import FailureWindow

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, dep: Deployment) -> FastAPI:
    app = FastAPI(
        title="ceasefire",
        version=__version__,
        description="The shared record and coordination desk of a ceasefire.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.deployment = dep
    app.state.settings = settings
    app.state.bad_tokens = FailureWindow(limit=30)  # invalid tokens a minute, per address
    app.state.public_requests = FailureWindow(limit=10, seconds=3600)  # an hour, per address
    app.state.public_registrations = FailureWindow(limit=10, seconds=3600)  # households, too
    app.state.form_min_seconds = 3.0  # a person takes longer than that to fill the form in
    routers = (
        incidents,
        reference,
        attachments,
        log,
        notifications,
        geography,
        notices,
        movements,
        cases,
        groups,
        reports,
        intake,
        messaging,
        aid,
    )
    for router in (module.router for module in routers):
        app.include_router(router, prefix="/api/v1")
    app.include_router(pages.router)
    app.include_router(notice_pages.router)
    app.include_router(movement_pages.router)
    app.include_router(desk_pages.router)
    app.include_router(case_pages.router)
    app.include_router(group_pages.router)
    app.include_router(report_pages.router)
    app.include_router(openrosa_server.router)
    app.include_router(intake_pages.router)
    app.include_router(aid_pages.router)
    app.include_router(household_pages.router)  # /aid/claims/file before /aid/claims/{claim_id}
    app.include_router(programme_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app, pages.error_page)
    pages.install_sign_in_redirect(app)
    openrosa_server.install(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="ceasefire_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(
        errors.BodyLimit,
        limit=settings.max_body_bytes,
        larger={
            "/api/v1/attachments": settings.max_attachment_bytes,
            "/submission": openrosa.MAX_SUBMISSION_BYTES,
            "/aid/claims/file": settings.max_attachment_bytes,  # a claim's evidence
            "/aid/activities/import": settings.max_attachment_bytes,  # a 3W table
        },
    )
    return app


def from_environment() -> FastAPI:
    """The application as each of `ceasefire serve --workers N`'s processes builds it: settings
    from the environment and configuration file, as the command that started them read them."""
    settings = Settings()
    return create_app(settings, open_deployment(settings))
