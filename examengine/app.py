"""create_app(settings) -> Starlette: routes, middleware, lifespan; nothing else."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware

from examengine import scheduler, shutdown
from examengine.api.spec import OpenApi
from examengine.context import Services
from examengine.db import sqlite_version_warning
from examengine.http.proxies import TrustedProxyHeaders
from examengine.migrate import ensure_migrated
from examengine.settings import Settings
from examengine.web.errors import EXCEPTION_HANDLERS, on_unexpected_error
from examengine.web.middleware import BodySizeLimit, RefuseNulInUrl, SecurityHeaders
from examengine.web.router import IndexedRouter
from examengine.web.routes import routes
from examengine.web.templating import make_environment

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024 * 1024


def _warn_about_unset_addresses(settings: Settings) -> None:
    if settings.public_url is None:
        log.warning(
            "EXAMENGINE_PUBLIC_URL is not set: certificate links and QR codes use the address each request was "
            "sent to. Set it (e.g. https://exams.example.org) in production."
        )
    if settings.smtp is None:
        log.warning(
            "EXAMENGINE_SMTP_URL is not set: password-reset and invitation mails wait in the outbox unsent%s.",
            " (and are written to this log: EXAMENGINE_MAIL_TO_LOG=1)" if settings.mail_to_log else "",
        )


# The collector's young passes keep Python's defaults (700 new objects, a millisecond or less); a full pass waits
# for 1,000 middle ones instead of 10. A full pass stops the whole process while it walks every object kept since
# start-up: at 10,000 candidates, the forms, presentations and sessions of the attempts under way, 0.3 to 0.9 s on
# the 2-core machine. With the default it came every 5 to 10 s on each worker under load (requests in flight
# outlive two young passes and count as kept), and those stops were the save p99 (docs/performance.md). It still
# comes, about once per 7 million objects kept, so cyclic garbage is still freed.
GC_THRESHOLDS = (700, 10, 1000)


def _collect_for_serving() -> tuple[int, ...]:
    """What is alive after start-up lives as long as the process: keep it out of the collector's full passes, which
    otherwise scan it all every few hundred requests (a 100 ms pause in a dashboard refresh or a save); and postpone
    those passes (GC_THRESHOLDS). Returns the thresholds to restore when the app stops."""
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    return thresholds


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    htmx = settings.node_modules_dir / "htmx.org" / "dist" / "htmx.min.js"
    if not htmx.exists():
        log.warning("htmx is not installed at %s: run `npm ci` (pages still work as plain forms).", htmx)
    _warn_about_unset_addresses(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services: Services = app.state.services
        shutdown.watch_signals()
        try:
            ensure_migrated(services.db.engine)
        except BaseException:
            services.db.dispose()  # a refused start keeps no pooled connection open behind it
            raise
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.read_threads
        warning = sqlite_version_warning() if services.db.is_sqlite else None
        if warning:
            log.warning(warning)
        try:  # before taking requests: the first Start of a burst must not read a 100,000-item pool
            await anyio.to_thread.run_sync(scheduler.warm_pools, services)
        except Exception:  # a pool that cannot load now is loaded (or refused) by the start that needs it
            log.exception("Loading the pools of open sittings at start-up failed")
        jobs = scheduler.start_in_process(services) if settings.scheduler == "internal" else None
        thresholds = _collect_for_serving()
        await services.live.start()
        try:
            yield
        finally:
            await services.live.stop()
            if jobs is not None:
                jobs.shutdown(wait=False)
            services.db.dispose()
            gc.set_threshold(*thresholds)

    app = Starlette(
        debug=False,
        routes=routes(settings),
        middleware=[
            Middleware(TrustedProxyHeaders, proxies=settings.trusted_proxies),
            Middleware(SecurityHeaders),
            # Starlette's own 500 handler sits outside every middleware; this one answers inside SecurityHeaders.
            Middleware(ServerErrorMiddleware, handler=on_unexpected_error),
            Middleware(RefuseNulInUrl),
            Middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.router = IndexedRouter(routes=app.router.routes, lifespan=lifespan)  # the same table, asked by first segment
    app.state.services = Services.build(settings)
    app.state.jinja = make_environment(settings.templates_dir, app.routes, reload_templates=settings.debug)
    # The spec is generated from the routes of the one URL table (spectree's own route registration is not used).
    app.state.openapi = OpenApi(app.routes)
    return app
