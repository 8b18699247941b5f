"""The one URL table: every route of the app, its name and who may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from examengine.accounts.models import Role
from examengine.api import accommodations as api_accommodations  # programs: accommodations
from examengine.api import accounts as api_accounts
from examengine.api import analysis as api_analysis
from examengine.api import appeals as api_appeals  # programs: appeals
from examengine.api import applications as api_applications  # programs: applications
from examengine.api import audit as api_audit
from examengine.api import bookings as api_bookings
from examengine.api import certificates as api_certificates
from examengine.api import credentials as api_credentials  # programs: credentials
from examengine.api import delivery as api_delivery
from examengine.api import exams as api_exams
from examengine.api import items as api_items
from examengine.api import marking as api_marking
from examengine.api import meta as api_meta
from examengine.api import open_badges as api_open_badges  # programs: registry
from examengine.api import organisation as api_organisation
from examengine.api import password_links as api_password_links
from examengine.api import proctoring as api_proctoring
from examengine.api import registry as api_registry  # programs: registry
from examengine.api import results as api_results
from examengine.api import schemes as api_schemes
from examengine.api import score_reports as api_score_reports  # programs: reports
from examengine.api import sittings as api_sittings
from examengine.api import terminations as api_terminations
from examengine.settings import Settings
from examengine.web.access import ADMIN, PUBLIC, SIGNED_IN, Access, roles
from examengine.web.auth import guard
from examengine.web.pages import accommodation_review as accommodation_review_pages  # programs: accommodations
from examengine.web.pages import accommodations as accommodation_pages  # programs: accommodations
from examengine.web.pages import (
    account,
    admin_analysis,
    admin_analysis_upload,
    admin_blueprint,
    admin_blueprint_forms,
    admin_exams,
    admin_standards,
    admin_users,
    author_items,
    author_review,
    candidate,
    candidate_live,
    candidate_offline,
    item_editor,
    judge,
    media,
    organisation,
    password_links,
    proctor,
    proctor_announce,
)
from examengine.web.pages import admin_appeals as admin_appeal_pages  # programs: appeals
from examengine.web.pages import admin_audit as admin_audit_pages
from examengine.web.pages import admin_certificates as admin_certificate_pages
from examengine.web.pages import admin_credentials as admin_credential_pages  # programs: credentials
from examengine.web.pages import admin_incidents as admin_incident_pages  # programs: reports
from examengine.web.pages import admin_results as admin_result_pages
from examengine.web.pages import admin_schemes as admin_scheme_pages
from examengine.web.pages import admin_seats as admin_seat_pages
from examengine.web.pages import admin_sittings as admin_sitting_pages
from examengine.web.pages import appeals as appeal_pages  # programs: appeals
from examengine.web.pages import applications as application_pages  # programs: applications
from examengine.web.pages import authorizations as authorization_pages
from examengine.web.pages import certificates as certificate_pages
from examengine.web.pages import credentials as credential_pages  # programs: credentials
from examengine.web.pages import marking as marking_pages
from examengine.web.pages import programs as program_pages
from examengine.web.pages import registry as registry_pages  # programs: registry
from examengine.web.pages import review_appeals as review_appeal_pages  # programs: appeals
from examengine.web.pages import review_applications as review_pages  # programs: applications
from examengine.web.pages import score_report as score_report_pages  # programs: reports

Endpoint = Callable[[Request], Awaitable[Response]]
AUTHORING = roles(Role.AUTHOR, Role.ADMIN)
WATCHING = roles(Role.PROCTOR, Role.ADMIN)
CANDIDATE = roles(Role.CANDIDATE)
ATTEMPT_PARTIES = roles(Role.CANDIDATE, Role.PROCTOR, Role.ADMIN)
MARKING = roles(Role.MARKER, Role.AUTHOR, Role.ADMIN)
APPEALS_REVIEWING = roles(Role.APPEALS_REVIEWER, Role.ADMIN)  # programs: appeals
# programs: applications
REVIEWING = roles(Role.ELIGIBILITY_REVIEWER, Role.ADMIN)
APPLICATION_PARTIES = roles(Role.CANDIDATE, Role.ELIGIBILITY_REVIEWER, Role.ADMIN)
# programs: accommodations (reviewed by REVIEWING, the applications' reviewers)
ACCOMMODATION_READERS = roles(Role.CANDIDATE, Role.ELIGIBILITY_REVIEWER, Role.ADMIN)


def route(
    path: str,
    endpoint: Endpoint,
    *,
    name: str,
    access: Access,
    methods: tuple[str, ...] = ("GET",),
    rechecked: bool = False,
) -> Route:
    """`rechecked`: the endpoint's guarded write re-checks the request's credential itself (web.auth.guard)."""
    return Route(path, guard(endpoint, access, rechecked=rechecked), methods=list(methods), name=name)


STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def routes(settings: Settings) -> list[BaseRoute]:
    htmx_dist = settings.node_modules_dir / "htmx.org" / "dist"
    return [
        # Our own assets, and htmx from its pinned npm package (never committed, installed at set-up)
        Mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static.app"),
        Mount("/static/vendor/htmx", StaticFiles(directory=htmx_dist, check_dir=False), name="static.htmx"),
        Mount(
            "/static/vendor/trix",
            StaticFiles(directory=settings.node_modules_dir / "trix" / "dist", check_dir=False),
            name="static.trix",
        ),
        # Delivery first: Starlette tries routes in order, and these are most of an exam day's requests
        # (tests/web/test_access_table.py checks that no route can take another's address, so order is free).
        # The candidate's pages
        route("/candidate", candidate.my_exams, name="candidate.home", access=CANDIDATE),
        route(
            "/candidate/sittings/{sitting_id}/start",
            candidate.start_attempt,
            name="candidate.start",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route("/candidate/attempts/{attempt_id}", candidate.attempt_home, name="candidate.attempt", access=CANDIDATE),
        route(
            "/candidate/attempts/{attempt_id}/items/{slot:int}",
            candidate.item_page,
            name="candidate.item",
            access=CANDIDATE,
            rechecked=True,
        ),
        route(
            "/candidate/attempts/{attempt_id}/items/{slot:int}",
            candidate.item_submit,
            name="candidate.item_submit",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/candidate/attempts/{attempt_id}/items/{slot:int}/save",
            candidate.autosave,
            name="candidate.autosave",
            access=CANDIDATE,
            methods=("POST",),
            rechecked=True,
        ),
        route(
            "/candidate/attempts/{attempt_id}/events",
            candidate.client_event,
            name="candidate.event",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/candidate/attempts/{attempt_id}/sections/{section:int}/finish",
            candidate.finish_section,
            name="candidate.finish_section",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/candidate/attempts/{attempt_id}/sign-out",
            candidate.sign_out_page,
            name="candidate.sign_out",
            access=CANDIDATE,
        ),
        route("/candidate/attempts/{attempt_id}/review", candidate.review, name="candidate.review", access=CANDIDATE),
        route(
            "/candidate/attempts/{attempt_id}/submit",
            candidate.submit,
            name="candidate.submit",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route("/candidate/attempts/{attempt_id}/done", candidate.done, name="candidate.done", access=CANDIDATE),
        route("/candidate/attempts/{attempt_id}/live", candidate_live.live, name="candidate.live", access=CANDIDATE),
        route(
            "/candidate/attempts/{attempt_id}/events", candidate_live.events, name="candidate.events", access=CANDIDATE
        ),
        route(
            "/candidate/attempts/{attempt_id}/offline",
            candidate_offline.open_items,
            name="candidate.offline",
            access=CANDIDATE,
        ),
        # The delivery and proctoring API
        route(
            "/api/v1/sittings/{sitting_id}/attempts",
            api_delivery.start_attempt,
            name="api.attempts.start",
            access=CANDIDATE,
            methods=("POST",),
            rechecked=True,
        ),
        route(
            "/api/v1/attempts/{attempt_id}",
            api_delivery.get_attempt,
            name="api.attempts.detail",
            access=ATTEMPT_PARTIES,
        ),
        route(
            "/api/v1/attempts/{attempt_id}/items/{slot:int}",
            api_delivery.get_item,
            name="api.attempts.item",
            access=CANDIDATE,
            rechecked=True,
        ),
        route(
            "/api/v1/attempts/{attempt_id}/responses/{slot:int}",
            api_delivery.save_response,
            name="api.attempts.save",
            access=CANDIDATE,
            methods=("PUT",),
            rechecked=True,
        ),
        route(
            "/api/v1/attempts/{attempt_id}/items/{slot:int}/next",
            api_delivery.next_item,
            name="api.attempts.next",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/sections/{section:int}/finish",
            api_delivery.finish_section,
            name="api.attempts.finish_section",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/flags/{slot:int}",
            api_delivery.set_flag,
            name="api.attempts.flag",
            access=CANDIDATE,
            methods=("PUT",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/events",
            api_delivery.report_event,
            name="api.attempts.report_event",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/events", api_delivery.timeline, name="api.attempts.timeline", access=WATCHING
        ),
        route("/api/v1/audit", api_audit.audit_log, name="api.audit", access=ADMIN),
        route(
            "/api/v1/attempts/{attempt_id}/submit",
            api_delivery.submit,
            name="api.attempts.submit",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/pause",
            api_delivery.pause,
            name="api.attempts.pause",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/resume",
            api_delivery.resume,
            name="api.attempts.resume",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/extend",
            api_delivery.extend,
            name="api.attempts.extend",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/credit",
            api_proctoring.credit_time,
            name="api.attempts.credit",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/unlock-device",
            api_proctoring.unlock_device,
            name="api.attempts.unlock_device",
            access=WATCHING,
            methods=("POST",),
        ),
        # Pages
        route("/", account.home, name="home", access=PUBLIC),
        route("/login", account.login_page, name="account.login", access=PUBLIC),
        route("/login", account.login_submit, name="account.login_submit", access=PUBLIC, methods=("POST",)),
        route("/logout", account.logout, name="account.logout", access=PUBLIC, methods=("POST",)),
        route("/forgot-password", password_links.forgot_page, name="account.forgot", access=PUBLIC),
        route(
            "/forgot-password",
            password_links.forgot_submit,
            name="account.forgot_submit",
            access=PUBLIC,
            methods=("POST",),
        ),
        route("/reset-password", password_links.reset_page, name="account.reset", access=PUBLIC),
        route(
            "/reset-password",
            password_links.reset_submit,
            name="account.reset_submit",
            access=PUBLIC,
            methods=("POST",),
        ),
        route("/account", account.account_page, name="account.detail", access=SIGNED_IN),
        route(
            "/account/password",
            account.change_password,
            name="account.password",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route("/admin/users", admin_users.user_list, name="admin.users", access=ADMIN),
        route("/admin/users", admin_users.create_user, name="admin.users.create", access=ADMIN, methods=("POST",)),
        route("/admin/users/new", admin_users.new_user_form, name="admin.users.new", access=ADMIN),
        route("/admin/users/import", admin_users.import_form, name="admin.users.import", access=ADMIN),
        route(
            "/admin/users/import",
            admin_users.import_submit,
            name="admin.users.import_submit",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/users/{user_id}", admin_users.user_detail, name="admin.users.detail", access=ADMIN),
        route(
            "/admin/users/{user_id}/roles",
            admin_users.update_roles,
            name="admin.users.roles",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/password",
            admin_users.set_password,
            name="admin.users.password",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/disable",
            admin_users.disable_user,
            name="admin.users.disable",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/enable",
            admin_users.enable_user,
            name="admin.users.enable",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/exams", admin_exams.exam_list, name="admin.exams", access=ADMIN),
        route("/admin/exams", admin_exams.create_exam, name="admin.exams.create", access=ADMIN, methods=("POST",)),
        route("/admin/exams/new", admin_exams.new_exam_form, name="admin.exams.new", access=ADMIN),
        route("/admin/exams/{exam_id}", admin_exams.exam_detail, name="admin.exams.detail", access=ADMIN),
        route("/admin/blueprints/new", admin_blueprint.new_blueprint, name="admin.blueprints.new", access=ADMIN),
        route(
            "/admin/blueprints/new",
            admin_blueprint.submit_new_blueprint,
            name="admin.blueprints.create",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/blueprints/pool", admin_blueprint.pool_status, name="admin.blueprints.pool", access=ADMIN),
        route(
            "/admin/exams/{exam_id}/blueprint",
            admin_blueprint.edit_blueprint,
            name="admin.exams.blueprint",
            access=ADMIN,
        ),
        route(
            "/admin/exams/{exam_id}/blueprint",
            admin_blueprint.submit_blueprint,
            name="admin.exams.blueprint_save",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/versions/{version:int}/forms",
            admin_blueprint_forms.review_page,
            name="admin.exams.forms",
            access=ADMIN,
        ),
        route(
            "/admin/exams/{exam_id}/versions/{version:int}/forms/review",
            admin_blueprint_forms.mark_reviewed,
            name="admin.exams.forms_review",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/publish",
            admin_exams.publish,
            name="admin.exams.publish",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/sittings/new", admin_exams.new_sitting_form, name="admin.sittings.new", access=ADMIN
        ),
        route(
            "/admin/exams/{exam_id}/sittings",
            admin_exams.create_sitting,
            name="admin.sittings.create",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/sittings",
            admin_sitting_pages.exam_sittings,
            name="admin.exams.sittings",
            access=ADMIN,
        ),
        route("/admin/sittings/{sitting_id}", admin_sitting_pages.sitting_page, name="admin.sitting", access=ADMIN),
        route(
            "/admin/sittings/{sitting_id}",
            admin_sitting_pages.update_sitting,
            name="admin.sitting.update",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/sittings/{sitting_id}/cancel",
            admin_sitting_pages.cancel_sitting,
            name="admin.sitting.cancel",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/sittings/{sitting_id}/candidates",
            admin_sitting_pages.enrol,
            name="admin.sitting.enrol",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/sittings/{sitting_id}/candidates/{user_id}/remove",
            admin_sitting_pages.remove,
            name="admin.sitting.remove",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/exams/{exam_id}/analysis", admin_analysis.exam_analysis, name="admin.analysis", access=ADMIN),
        route(
            "/admin/exams/{exam_id}/analysis/save",
            admin_analysis.save_statistics,
            name="admin.analysis.save",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/analysis/upload", admin_analysis_upload.upload_form, name="admin.analysis.upload", access=ADMIN),
        route("/admin/exams/{exam_id}/standards", admin_standards.study_list, name="admin.standards", access=ADMIN),
        route(
            "/admin/exams/{exam_id}/standards",
            admin_standards.create_study,
            name="admin.standards.create",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/standards/{study_id}", admin_standards.study_detail, name="admin.standards.detail", access=ADMIN),
        route(
            "/admin/standards/{study_id}/judges",
            admin_standards.add_judge,
            name="admin.standards.judges",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/standards/{study_id}/rounds",
            admin_standards.advance,
            name="admin.standards.rounds",
            access=ADMIN,
            methods=("POST",),
        ),
        # Judges are named per study: any signed-in user may be one, and the service checks that they are.
        route("/judge", judge.my_studies, name="judge.home", access=SIGNED_IN),
        route("/judge/studies/{study_id}", judge.study_page, name="judge.study", access=SIGNED_IN),
        route("/judge/studies/{study_id}", judge.rate, name="judge.rate", access=SIGNED_IN, methods=("POST",)),
        route(
            "/admin/analysis/upload",
            admin_analysis_upload.upload_submit,
            name="admin.analysis.upload_submit",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/author/items", author_items.item_list, name="author.items", access=AUTHORING),
        route("/author/items/import", author_items.import_form, name="author.items.import", access=AUTHORING),
        # The structured item editor (before /author/items/{item_id}, which would take /author/items/new)
        route("/author/items/new", item_editor.new_item, name="author.items.new", access=AUTHORING),
        route(
            "/author/items/new",
            item_editor.create_item,
            name="author.items.create",
            access=AUTHORING,
            methods=("POST",),
        ),
        route("/author/items/{item_id}/edit", item_editor.edit_item, name="author.items.edit", access=AUTHORING),
        route(
            "/author/items/{item_id}/edit",
            item_editor.save_item,
            name="author.items.save",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/author/editor/preview",
            item_editor.preview,
            name="author.editor.preview",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/author/items/import",
            author_items.import_submit,
            name="author.items.import_submit",
            access=AUTHORING,
            methods=("POST",),
        ),
        route("/author/media", author_items.media_page, name="author.media", access=AUTHORING),
        route(
            "/author/media", author_items.media_upload, name="author.media_upload", access=AUTHORING, methods=("POST",)
        ),
        route(
            "/author/items/{item_id}/preview",
            author_items.preview_source,
            name="author.items.preview",
            access=AUTHORING,
            methods=("POST",),
        ),
        route("/author/review", author_review.review_queue, name="author.review", access=AUTHORING),
        route(
            "/author/review",
            author_review.bulk_transition,
            name="author.review.bulk",
            access=AUTHORING,
            methods=("POST",),
        ),
        route("/author/items/{item_id}", author_items.item_detail, name="author.items.detail", access=AUTHORING),
        route(
            "/author/items/{item_id}/versions",
            author_items.new_version,
            name="author.items.new_version",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/author/items/{item_id}/versions/{version:int}/transition",
            author_items.transition,
            name="author.items.transition",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/author/items/{item_id}/versions/{version:int}/score",
            author_items.score_preview,
            name="author.items.score",
            access=AUTHORING,
            methods=("POST",),
        ),
        # Certificates: the candidate's own, public verification (no sign-in), admin search and revocation
        route(
            "/candidate/certificates",
            certificate_pages.my_certificates,
            name="candidate.certificates",
            access=CANDIDATE,
        ),
        route(
            "/candidate/certificates/{code}",
            certificate_pages.my_certificate,
            name="candidate.certificate",
            access=CANDIDATE,
        ),
        route("/verify", certificate_pages.verify_form, name="verify", access=PUBLIC),
        route("/verify/{code}", certificate_pages.verify_certificate, name="verify.certificate", access=PUBLIC),
        route("/admin/certificates", admin_certificate_pages.certificate_list, name="admin.certificates", access=ADMIN),
        route(
            "/admin/certificates/{code}",
            admin_certificate_pages.certificate_detail,
            name="admin.certificates.detail",
            access=ADMIN,
        ),
        route(
            "/admin/certificates/{code}/revoke",
            admin_certificate_pages.revoke,
            name="admin.certificates.revoke",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/audit", admin_audit_pages.audit_log, name="admin.audit", access=ADMIN),
        route("/proctor", proctor.my_sittings, name="proctor.sittings", access=WATCHING),
        route("/proctor/sittings/{sitting_id}", proctor.sitting_dashboard, name="proctor.dashboard", access=WATCHING),
        route("/proctor/attempts/{attempt_id}", proctor.timeline, name="proctor.timeline", access=WATCHING),
        route(
            "/proctor/sittings/{sitting_id}/actions",
            proctor.act_on_sitting,
            name="proctor.sitting_act",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/proctor/attempts/{attempt_id}/actions",
            proctor.act,
            name="proctor.act",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/proctor/sittings/{sitting_id}/announce",
            proctor_announce.to_sitting,
            name="proctor.sitting_announce",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/proctor/attempts/{attempt_id}/announce",
            proctor_announce.to_attempt,
            name="proctor.announce",
            access=WATCHING,
            methods=("POST",),
        ),
        route("/media/{sha256}", media.media_file, name="media", access=SIGNED_IN),
        # The organisation's identity: its settings page, its images and the stylesheet of its accent colour
        route("/admin/organisation", organisation.settings_page, name="admin.organisation", access=ADMIN),
        route(
            "/admin/organisation",
            organisation.save_settings,
            name="admin.organisation.save",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/organisation/{kind}",
            organisation.upload_image,
            name="admin.organisation.image",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/organisation/{kind}/remove",
            organisation.remove_image,
            name="admin.organisation.image_remove",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/static/organisation/logo/{sha256}", organisation.logo, name="organisation.logo", access=PUBLIC),
        route(
            "/static/organisation/signature/{sha256}",
            organisation.signature,
            name="organisation.signature",
            access=SIGNED_IN,
        ),
        route("/static/organisation/theme.css", organisation.theme, name="organisation.theme", access=PUBLIC),
        route("/api/v1/organisation", api_organisation.get_organisation, name="api.organisation", access=PUBLIC),
        route(
            "/api/v1/organisation",
            api_organisation.put_organisation,
            name="api.organisation.update",
            access=ADMIN,
            methods=("PUT",),
        ),
        route(
            "/api/v1/organisation/{kind}",
            api_organisation.put_image,
            name="api.organisation.image",
            access=ADMIN,
            methods=("PUT",),
        ),
        route(
            "/api/v1/organisation/{kind}",
            api_organisation.delete_image,
            name="api.organisation.image_delete",
            access=ADMIN,
            methods=("DELETE",),
        ),
        route("/marking", marking_pages.queue, name="marking.queue", access=MARKING),
        route("/marking/next", marking_pages.take_next, name="marking.next", access=MARKING, methods=("POST",)),
        route(
            "/marking/scripts/{script_id}/items/{slot:int}", marking_pages.script, name="marking.script", access=MARKING
        ),
        route(
            "/marking/scripts/{script_id}/items/{slot:int}",
            marking_pages.submit,
            name="marking.submit",
            access=MARKING,
            methods=("POST",),
        ),
        route("/admin/exams/{exam_id}/results", admin_result_pages.results, name="admin.results", access=ADMIN),
        route(
            "/admin/exams/{exam_id}/results.csv",
            admin_result_pages.results_csv,
            name="admin.results.csv",
            access=ADMIN,
        ),
        route(
            "/admin/exams/{exam_id}/results/release",
            admin_result_pages.release_results,
            name="admin.results.release",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/attempts/{attempt_id}/termination-decision",
            admin_result_pages.decide_termination,
            name="admin.termination_decision",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/retake-exceptions",
            admin_result_pages.grant_exception,
            name="admin.retake_exceptions.create",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/exams/{exam_id}/rescore", admin_result_pages.rescore_form, name="admin.rescore", access=ADMIN),
        route(
            "/admin/exams/{exam_id}/rescore/preview",
            admin_result_pages.rescore_preview,
            name="admin.rescore.preview",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/exams/{exam_id}/rescore",
            admin_result_pages.rescore_apply,
            name="admin.rescore.apply",
            access=ADMIN,
            methods=("POST",),
        ),
        # JSON API
        route("/healthz", api_meta.healthz, name="api.health", access=PUBLIC),
        route("/api/openapi.json", api_meta.openapi_document, name="api.openapi", access=PUBLIC),
        route(
            "/api/v1/auth/token",
            api_accounts.create_token,
            name="api.auth.token_create",
            access=PUBLIC,
            methods=("POST",),
        ),
        route(
            "/api/v1/auth/token",
            api_accounts.revoke_token,
            name="api.auth.token_revoke",
            access=SIGNED_IN,
            methods=("DELETE",),
        ),
        route(
            "/api/v1/auth/password-reset",
            api_password_links.request_reset,
            name="api.auth.password_reset",
            access=PUBLIC,
            methods=("POST",),
        ),
        route(
            "/api/v1/auth/password-reset/confirm",
            api_password_links.confirm_reset,
            name="api.auth.password_reset_confirm",
            access=PUBLIC,
            methods=("POST",),
        ),
        route("/api/v1/users", api_accounts.create_user, name="api.users.create", access=ADMIN, methods=("POST",)),
        route("/api/v1/users", api_accounts.list_users, name="api.users.list", access=ADMIN),
        route(
            "/api/v1/users/{user_id}/password",
            api_accounts.set_password,
            name="api.users.password",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/announce",
            api_proctoring.announce_sitting,
            name="api.sittings.announce",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/announce",
            api_proctoring.announce,
            name="api.attempts.announce",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/pause",
            api_proctoring.pause_sitting,
            name="api.sittings.pause",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/resume",
            api_proctoring.resume_sitting,
            name="api.sittings.resume",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/terminate",
            api_delivery.terminate,
            name="api.attempts.terminate",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/termination-decision",
            api_terminations.decide,
            name="api.attempts.termination_decision",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/notes",
            api_delivery.add_note,
            name="api.attempts.notes",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/admit",
            api_delivery.admit,
            name="api.attempts.admit",
            access=WATCHING,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/attempts", api_delivery.live_rows, name="api.sittings.live", access=WATCHING
        ),
        route("/api/v1/exams", api_exams.create_exam, name="api.exams.create", access=AUTHORING, methods=("POST",)),
        route("/api/v1/exams", api_exams.list_exams, name="api.exams.list", access=AUTHORING),
        route("/api/v1/exams/{exam_id}", api_exams.get_exam, name="api.exams.detail", access=AUTHORING),
        route(
            "/api/v1/exams/{exam_id}/versions",
            api_exams.new_exam_version,
            name="api.exams.new_version",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/api/v1/exams/{exam_id}/publish",
            api_exams.publish_exam,
            name="api.exams.publish",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/result",
            api_results.attempt_result,
            name="api.attempts.result",
            access=roles(Role.CANDIDATE, Role.ADMIN),
        ),
        route(
            "/api/v1/exams/{exam_id}/results.csv", api_results.results_csv, name="api.exams.results_csv", access=ADMIN
        ),
        route(
            "/api/v1/exams/{exam_id}/item-analysis",
            api_analysis.item_analysis,
            name="api.exams.item_analysis",
            access=ADMIN,
        ),
        route(
            "/api/v1/exams/{exam_id}/item-analysis.csv",
            api_analysis.item_analysis_csv,
            name="api.exams.item_analysis_csv",
            access=ADMIN,
        ),
        route(
            "/api/v1/exams/{exam_id}/release",
            api_results.release_results,
            name="api.exams.release",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/exams/{exam_id}/rescore",
            api_marking.rescore,
            name="api.exams.rescore",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/exams/{exam_id}/retake-exceptions",
            api_marking.grant_retake_exception,
            name="api.exams.retake_exceptions",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/api/v1/marking/queue", api_marking.queue, name="api.marking.queue", access=MARKING),
        route("/api/v1/marking/claims", api_marking.claim, name="api.marking.claim", access=MARKING, methods=("POST",)),
        route(
            "/api/v1/marking/scripts/{script_id}/items/{slot:int}",
            api_marking.task,
            name="api.marking.task",
            access=MARKING,
        ),
        route(
            "/api/v1/marking/scripts/{script_id}/items/{slot:int}/marks",
            api_marking.mark,
            name="api.marking.mark",
            access=MARKING,
            methods=("POST",),
        ),
        route("/api/v1/certificates/{code}", api_certificates.verify, name="api.certificates.verify", access=PUBLIC),
        route(
            "/api/v1/certificates/{code}/revoke",
            api_certificates.revoke,
            name="api.certificates.revoke",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings", api_sittings.create_sitting, name="api.sittings.create", access=ADMIN, methods=("POST",)
        ),
        route("/api/v1/sittings/{sitting_id}", api_sittings.get_sitting, name="api.sittings.detail", access=WATCHING),
        route(
            "/api/v1/sittings/{sitting_id}",
            api_sittings.update_sitting,
            name="api.sittings.update",
            access=ADMIN,
            methods=("PATCH",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/cancel",
            api_sittings.cancel_sitting,
            name="api.sittings.cancel",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/candidates",
            api_sittings.enrol_candidate,
            name="api.sittings.enrol",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/sittings/{sitting_id}/candidates/{user_id}",
            api_sittings.remove_candidate,
            name="api.sittings.remove_candidate",
            access=ADMIN,
            methods=("DELETE",),
        ),
        route("/api/v1/exams/{exam_id}/sittings", api_sittings.exam_sittings, name="api.exams.sittings", access=ADMIN),
        route(
            "/api/v1/items/import", api_items.import_items, name="api.items.import", access=AUTHORING, methods=("POST",)
        ),
        route("/api/v1/items/export", api_items.export, name="api.items.export", access=AUTHORING),
        route("/api/v1/items", api_items.list_items, name="api.items.list", access=AUTHORING),
        route("/api/v1/items", api_items.create_item, name="api.items.create", access=AUTHORING, methods=("POST",)),
        route("/api/v1/items/{item_id}", api_items.get_item, name="api.items.detail", access=AUTHORING),
        route(
            "/api/v1/items/{item_id}/versions",
            api_items.create_version,
            name="api.items.new_version",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/api/v1/items/{item_id}/versions/{version:int}",
            api_items.get_version,
            name="api.items.version",
            access=AUTHORING,
        ),
        route(
            "/api/v1/items/{item_id}/versions/{version:int}/transition",
            api_items.transition,
            name="api.items.transition",
            access=AUTHORING,
            methods=("POST",),
        ),
        route(
            "/api/v1/items/{item_id}/versions/{version:int}/score",
            api_items.score,
            name="api.items.score",
            access=AUTHORING,
            methods=("POST",),
        ),
        # programs: appeals (the summary before /{appeal_id}, which could take its address)
        route("/api/v1/appeals", api_appeals.list_appeals, name="api.appeals.list", access=SIGNED_IN),
        route("/api/v1/appeals", api_appeals.file_appeal, name="api.appeals.file", access=SIGNED_IN, methods=("POST",)),
        route("/api/v1/appeals/summary", api_appeals.summary, name="api.appeals.summary", access=ADMIN),
        route("/api/v1/appeals/{appeal_id}", api_appeals.get_appeal, name="api.appeals.detail", access=SIGNED_IN),
        route(
            "/api/v1/appeals/{appeal_id}/assign",
            api_appeals.assign,
            name="api.appeals.assign",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/appeals/{appeal_id}/decision",
            api_appeals.decide,
            name="api.appeals.decision",
            access=APPEALS_REVIEWING,
            methods=("POST",),
        ),
        route("/appeals", appeal_pages.my_appeals, name="appeals.mine", access=SIGNED_IN),
        route("/appeals", appeal_pages.file_appeal, name="appeals.file", access=SIGNED_IN, methods=("POST",)),
        route("/appeals/new", appeal_pages.new_appeal, name="appeals.new", access=SIGNED_IN),
        route("/admin/appeals", admin_appeal_pages.appeal_list, name="admin.appeals", access=ADMIN),
        route(
            "/admin/appeals/{appeal_id}/assign",
            admin_appeal_pages.assign,
            name="admin.appeals.assign",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/review/appeals", review_appeal_pages.assigned_to_me, name="review.appeals", access=APPEALS_REVIEWING),
        route(
            "/review/appeals/{appeal_id}",
            review_appeal_pages.review_page,
            name="review.appeal",
            access=APPEALS_REVIEWING,
        ),
        route(
            "/review/appeals/{appeal_id}/decision",
            review_appeal_pages.decide,
            name="review.appeal.decide",
            access=APPEALS_REVIEWING,
            methods=("POST",),
        ),
        # programs: applications
        route(
            "/api/v1/schemes/{code}/applications",
            api_applications.apply,
            name="api.applications.create",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/applications",
            api_applications.list_applications,
            name="api.applications.list",
            access=APPLICATION_PARTIES,
        ),
        route(
            "/api/v1/applications/{application_id}",
            api_applications.get_application,
            name="api.applications.detail",
            access=APPLICATION_PARTIES,
        ),
        route(
            "/api/v1/applications/{application_id}/evidence",
            api_applications.add_evidence,
            name="api.applications.evidence",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/applications/{application_id}/evidence/{evidence_id}",
            api_applications.download_evidence,
            name="api.applications.evidence_file",
            access=APPLICATION_PARTIES,
        ),
        route(
            "/api/v1/applications/{application_id}/submit",
            api_applications.submit,
            name="api.applications.submit",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/applications/{application_id}/withdraw",
            api_applications.withdraw,
            name="api.applications.withdraw",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/applications/{application_id}/decision",
            api_applications.decide,
            name="api.applications.decision",
            access=REVIEWING,
            methods=("POST",),
        ),
        route("/programs/{code}/apply", application_pages.apply_page, name="applications.apply", access=CANDIDATE),
        route(
            "/programs/{code}/apply",
            application_pages.apply,
            name="applications.create",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route("/applications", application_pages.my_applications, name="applications.mine", access=CANDIDATE),
        route(
            "/applications/{application_id}",
            application_pages.application_page,
            name="applications.detail",
            access=CANDIDATE,
        ),
        route(
            "/applications/{application_id}/evidence",
            application_pages.upload,
            name="applications.upload",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/applications/{application_id}/attest",
            application_pages.attest,
            name="applications.attest",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/applications/{application_id}/submit",
            application_pages.submit,
            name="applications.submit",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/applications/{application_id}/withdraw",
            application_pages.withdraw,
            name="applications.withdraw",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/applications/{application_id}/evidence/{evidence_id}",
            application_pages.evidence_file,
            name="applications.evidence_file",
            access=APPLICATION_PARTIES,
        ),
        route("/review/applications", review_pages.queue, name="review.applications", access=REVIEWING),
        route(
            "/review/applications/{application_id}",
            review_pages.application_page,
            name="review.application",
            access=REVIEWING,
        ),
        route(
            "/review/applications/{application_id}/decision",
            review_pages.decide,
            name="review.application_decide",
            access=REVIEWING,
            methods=("POST",),
        ),
        # programs: schemes
        route("/api/v1/schemes", api_schemes.create_scheme, name="api.schemes.create", access=ADMIN, methods=("POST",)),
        route("/api/v1/schemes", api_schemes.list_schemes, name="api.schemes.list", access=SIGNED_IN),
        route("/api/v1/schemes/{code}", api_schemes.get_scheme, name="api.schemes.detail", access=SIGNED_IN),
        route(
            "/api/v1/schemes/{code}/handbook",
            api_schemes.publish_handbook,
            name="api.schemes.handbook",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/schemes", admin_scheme_pages.scheme_list, name="admin.schemes", access=ADMIN),
        route(
            "/admin/schemes",
            admin_scheme_pages.create_scheme,
            name="admin.schemes.create",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/schemes/new", admin_scheme_pages.new_scheme_form, name="admin.schemes.new", access=ADMIN),
        route("/admin/schemes/{code}", admin_scheme_pages.scheme_detail, name="admin.schemes.detail", access=ADMIN),
        route(
            "/admin/schemes/{code}/handbook",
            admin_scheme_pages.publish_handbook,
            name="admin.schemes.handbook",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/programs", program_pages.program_list, name="programs.list", access=SIGNED_IN),
        route("/programs/{code}", program_pages.program_detail, name="programs.detail", access=SIGNED_IN),
        # programs: registry
        route("/registry", registry_pages.search_page, name="registry", access=PUBLIC),
        route(
            "/credentials/{number}/registry", registry_pages.listing_page, name="credentials.registry", access=SIGNED_IN
        ),
        route(
            "/credentials/{number}/registry",
            registry_pages.listing_submit,
            name="credentials.registry_submit",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route("/api/v1/registry", api_registry.search, name="api.registry", access=PUBLIC),
        route(
            "/api/v1/credentials/{number}/listing",
            api_registry.set_listing,
            name="api.credentials.listing",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route("/api/v1/credentials/{number}/ob3", api_open_badges.ob3, name="api.credentials.ob3", access=SIGNED_IN),
        route(
            "/api/v1/credentials/{number}/ob3.jwt",
            api_open_badges.ob3_jwt,
            name="api.credentials.ob3_jwt",
            access=SIGNED_IN,
        ),
        route("/.well-known/jwks.json", api_open_badges.jwks, name="api.jwks", access=PUBLIC),
        route(
            "/api/v1/signing-keys/rotate",
            api_open_badges.rotate_key,
            name="api.signing_keys.rotate",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/api/v1/status-lists/{purpose}", api_open_badges.status_list, name="api.status_lists", access=PUBLIC),
        # programs: credentials
        route("/api/v1/credentials", api_credentials.list_credentials, name="api.credentials.list", access=SIGNED_IN),
        route(
            "/api/v1/credentials/{number}",
            api_credentials.get_credential,
            name="api.credentials.detail",
            access=SIGNED_IN,
        ),
        route(
            "/api/v1/credentials/{number}/ce",
            api_credentials.record_ce,
            name="api.credentials.ce",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route(
            "/api/v1/credentials/{number}/cycle", api_credentials.cycle, name="api.credentials.cycle", access=SIGNED_IN
        ),
        route(
            "/api/v1/credentials/{number}/renew",
            api_credentials.renew,
            name="api.credentials.renew",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route(
            "/api/v1/credentials/{number}/suspend",
            api_credentials.suspend,
            name="api.credentials.suspend",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/credentials/{number}/reinstate",
            api_credentials.reinstate,
            name="api.credentials.reinstate",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/credentials/{number}/revoke",
            api_credentials.revoke,
            name="api.credentials.revoke",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/api/v1/schemes/{code}/attendance",
            api_credentials.record_attendance,
            name="api.schemes.attendance",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/credentials", credential_pages.my_credentials, name="credentials.mine", access=SIGNED_IN),
        route("/credentials/{number}", credential_pages.my_credential, name="credentials.detail", access=SIGNED_IN),
        route(
            "/credentials/{number}/ce",
            credential_pages.add_activity,
            name="credentials.ce",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route(
            "/credentials/{number}/renew",
            credential_pages.renew,
            name="credentials.renew",
            access=SIGNED_IN,
            methods=("POST",),
        ),
        route("/admin/credentials", admin_credential_pages.admin_search, name="admin.credentials", access=ADMIN),
        route(
            "/admin/credentials/{number}",
            admin_credential_pages.admin_credential,
            name="admin.credentials.detail",
            access=ADMIN,
        ),
        route(
            "/admin/credentials/{number}/{action}",
            admin_credential_pages.admin_decide,
            name="admin.credentials.decide",
            access=ADMIN,
            methods=("POST",),
        ),
        # programs: bookings (authorizations to test, seats)
        route("/api/v1/authorizations", api_bookings.list_authorizations, name="api.authorizations", access=SIGNED_IN),
        route(
            "/api/v1/authorizations/{authorization_id}/sittings",
            api_bookings.bookable_sittings,
            name="api.authorizations.sittings",
            access=CANDIDATE,
        ),
        route("/api/v1/bookings", api_bookings.book, name="api.bookings.create", access=CANDIDATE, methods=("POST",)),
        route(
            "/api/v1/bookings/{booking_id}",
            api_bookings.cancel_booking,
            name="api.bookings.cancel",
            access=CANDIDATE,
            methods=("DELETE",),
        ),
        route(
            "/authorizations", authorization_pages.my_authorizations, name="candidate.authorizations", access=CANDIDATE
        ),
        route(
            "/authorizations/{authorization_id}/book",
            authorization_pages.book_page,
            name="candidate.authorization.book",
            access=CANDIDATE,
        ),
        route(
            "/authorizations/{authorization_id}/book",
            authorization_pages.book,
            name="candidate.authorization.book_seat",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/bookings/{booking_id}/cancel",
            authorization_pages.cancel,
            name="candidate.booking.cancel",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/admin/sittings/{sitting_id}/seats",
            admin_seat_pages.update_seats,
            name="admin.sitting.seats",
            access=ADMIN,
            methods=("POST",),
        ),
        # programs: accommodations
        route("/accommodations", accommodation_pages.my_accommodations, name="accommodations.mine", access=CANDIDATE),
        route(
            "/accommodations",
            accommodation_pages.create,
            name="accommodations.create",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/accommodations/{request_id}/evidence",
            accommodation_pages.add_evidence,
            name="accommodations.evidence_add",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/accommodations/{request_id}/evidence/{evidence_id}",
            accommodation_pages.evidence_file,
            name="accommodations.evidence",
            access=ACCOMMODATION_READERS,
        ),
        route(
            "/review/accommodations",
            accommodation_review_pages.queue,
            name="review.accommodations",
            access=REVIEWING,
        ),
        route(
            "/review/accommodations/{request_id}",
            accommodation_review_pages.detail,
            name="review.accommodation",
            access=REVIEWING,
        ),
        route(
            "/review/accommodations/{request_id}/decision",
            accommodation_review_pages.decide,
            name="review.accommodation_decide",
            access=REVIEWING,
            methods=("POST",),
        ),
        route(
            "/api/v1/accommodation-requests",
            api_accommodations.create_request,
            name="api.accommodations.create",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/accommodation-requests",
            api_accommodations.list_requests,
            name="api.accommodations.list",
            access=ACCOMMODATION_READERS,
        ),
        route(
            "/api/v1/accommodation-requests/{request_id}",
            api_accommodations.get_request,
            name="api.accommodations.detail",
            access=ACCOMMODATION_READERS,
        ),
        route(
            "/api/v1/accommodation-requests/{request_id}/evidence",
            api_accommodations.add_evidence,
            name="api.accommodations.evidence_add",
            access=CANDIDATE,
            methods=("POST",),
        ),
        route(
            "/api/v1/accommodation-requests/{request_id}/evidence/{evidence_id}",
            api_accommodations.evidence_file,
            name="api.accommodations.evidence",
            access=ACCOMMODATION_READERS,
        ),
        route(
            "/api/v1/accommodation-requests/{request_id}/decision",
            api_accommodations.decide,
            name="api.accommodations.decide",
            access=REVIEWING,
            methods=("POST",),
        ),
        # programs: reports
        route(
            "/api/v1/attempts/{attempt_id}/score-report",
            api_score_reports.score_report,
            name="api.attempts.score_report",
            access=roles(Role.CANDIDATE, Role.ADMIN),
        ),
        route(
            "/api/v1/attempts/{attempt_id}/incident-decision",
            api_score_reports.incident_decision,
            name="api.attempts.incident_decision",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/candidate/attempts/{attempt_id}/report",
            score_report_pages.report_page,
            name="candidate.score_report",
            access=roles(Role.CANDIDATE, Role.ADMIN),
        ),
        route("/admin/incidents", admin_incident_pages.queue, name="admin.incidents", access=ADMIN),
        route(
            "/admin/incidents/{attempt_id}/decision",
            admin_incident_pages.decide,
            name="admin.incidents.decision",
            access=ADMIN,
            methods=("POST",),
        ),
        # end programs: reports
    ]
