"""The `examengine` command."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from examengine import demo, migrate, scheduler
from examengine.accounts import credentials, service
from examengine.accounts.models import CredentialKind
from examengine.clock import utcnow
from examengine.context import Services
from examengine.db import sqlite_version_warning
from examengine.errors import DomainError, InvalidInput
from examengine.programs import signing_keys
from examengine.settings import PROJECT_ROOT, Settings, SettingsError


class CommandError(Exception):
    """A problem the person at the terminal can fix; printed without a traceback."""


def _migrate(services: Services, _args: argparse.Namespace) -> None:
    migrate.upgrade(services.db.engine)
    print(f"Database migrated to revision {migrate.head_revision()}.")


def _demo(services: Services, _args: argparse.Namespace) -> None:
    migrate.ensure_migrated(services.db.engine)
    created = services.db.call(demo.load, passwords=services.passwords)
    print(f"Demo data loaded ({len(created)} new users). Demo logins, password '{demo.DEMO_PASSWORD}':")
    for user in demo.DEMO_USERS:
        print(f"  {', '.join(user.roles):10} {user.email}")


def _serve(services: Services, args: argparse.Namespace) -> None:
    import uvicorn

    migrate.ensure_migrated(services.db.engine)
    warning = sqlite_version_warning() if services.db.is_sqlite else None
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"examengine serving at http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(
        "examengine.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # forwarded headers are applied by the app, from EXAMENGINE_TRUSTED_PROXIES only
        log_level="info",
    )


def _users_create(services: Services, args: argparse.Namespace) -> None:
    password_hash = services.passwords.hash(args.password) if args.password else None
    user = services.db.call(
        service.create_user, email=args.email, name=args.name, roles=args.role, password_hash=password_hash
    )
    print(f"Created user {user.id} {user.email} with roles {', '.join(user.roles)}.")


def _users_set_password(services: Services, args: argparse.Namespace) -> None:
    user_id = services.db.call(service.find_user_id_by_email, email=args.email, write=False)
    if user_id is None:
        raise CommandError(f"No user with the email {args.email}.")
    ended = services.db.call(
        service.change_password, user_id=user_id, password_hash=services.passwords.hash(args.password), actor_id=None
    )
    print(f"Password set for {args.email}; {ended} session(s) and token(s) of theirs ended.")


def _tokens_create(services: Services, args: argparse.Namespace) -> None:
    user_id = services.db.call(service.find_user_id_by_email, email=args.email, write=False)
    if user_id is None:
        raise CommandError(f"No user with the email {args.email}.")
    issued = services.db.call(
        credentials.issue, user_id=user_id, kind=CredentialKind.API, lifetime=timedelta(hours=args.hours)
    )
    print(issued.token)


def _scheduler(services: Services, args: argparse.Namespace) -> None:
    migrate.ensure_migrated(services.db.engine)
    if args.once:
        for name, result in scheduler.run_all_once(services).items():
            print(f"{name}: {result}")
        return
    scheduler.run_forever(services)


def _preassemble(services: Services, args: argparse.Namespace) -> None:
    from examengine.clock import utcnow
    from examengine.delivery import preassembly
    from examengine.programs import admission

    migrate.ensure_migrated(services.db.engine)
    minutes = services.settings.preassemble_minutes
    report = preassembly.prepare_due(
        services.db, now=utcnow(), lead_minutes=minutes, sitting_id=args.sitting, eligible=admission.eligibility
    )
    if report.discarded:
        print(f"Discarded {report.discarded} prepared forms that can no longer be used.")
    if not report.sittings:
        print(f"No sitting opens within {minutes} minutes.")
    for outcome in report.sittings:
        print(
            f"Sitting {outcome.sitting_id}: {outcome.prepared_now} forms prepared now; "
            f"forms prepared: {outcome.prepared} of {outcome.enrolled} enrolled."
        )
        if outcome.problem:
            print(f"Sitting {outcome.sitting_id}: {outcome.problem}", file=sys.stderr)


def _analyze(_services: Services, args: argparse.Namespace) -> None:
    from examengine.analysis.matrix import MatrixError, MissingRule
    from examengine.analysis.report import analyze_files, render

    try:
        analysis = analyze_files(
            args.responses,
            args.key,
            missing_codes=tuple(args.missing_code or ()),
            missing_rule=MissingRule(args.missing),
        )
    except (MatrixError, OSError) as error:
        raise CommandError(str(error)) from None
    sys.stdout.write(render(analysis, args.format, cut_score=args.cut))


def _items_import(services: Services, args: argparse.Namespace) -> None:
    from itembank import importing
    from itembank.formats.common import ImportResult

    migrate.ensure_migrated(services.db.engine)
    merged = ImportResult()
    for path in args.paths:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        merged.extend(importing.read_upload(path, data, args.format))
    mode = importing.ImportMode.VALID_ONLY if args.valid_only else importing.ImportMode.ALL_OR_NOTHING
    try:
        report = services.db.call(importing.import_items, result=merged, mode=mode)
    except InvalidInput as error:
        for problem in error.details.get("errors", []):
            where = problem["file"] + (f":{problem['line']}" if problem.get("line") else "")
            item = f" item {problem['item']}" if problem.get("item") else ""
            print(f"{where}{item}: {problem['message']}", file=sys.stderr)
        raise CommandError(f"{error.message} (run again with --valid-only to do that)") from None
    for problem in report.errors:
        print(f"not imported: {problem}", file=sys.stderr)
    print(
        f"Imported {len(report.imported)} items: "
        + ", ".join(ref.code for ref in report.imported[:20])
        + (" …" if len(report.imported) > 20 else "")
    )


def _items_export(services: Services, args: argparse.Namespace) -> None:
    from itembank import exporting

    migrate.ensure_migrated(services.db.engine)
    package = services.db.call(exporting.export_package, status=args.status, write=False)
    with open(args.output, "wb") as out:
        out.write(package)
    print(f"Wrote {args.output} ({len(package):,} bytes).")


def _backup(services: Services, args: argparse.Namespace) -> None:
    from examengine import backup

    try:
        summary = backup.backup(services.settings.database_url, Path(args.path))
    except backup.BackupError as error:
        raise CommandError(str(error)) from None
    print(f"Backed up to {summary.describe()}; integrity verified.")


def _restore(services: Services, args: argparse.Namespace) -> None:
    from examengine import backup

    services.db.dispose()  # this command's own pool must not count as a server using the database
    try:
        summary, kept = backup.restore(services.settings.database_url, Path(args.path))
    except backup.BackupError as error:
        raise CommandError(str(error)) from None
    print(f"Restored the database from {summary.describe()}.")
    if kept.exists():
        print(f"The database it replaced is kept in {kept}.")


def _audit_verify(services: Services, _args: argparse.Namespace) -> int:
    from examengine.delivery.trail import verify

    migrate.ensure_migrated(services.db.engine)
    report = services.db.call(verify, key=services.settings.audit_key, write=False)
    if report.ok:
        print(f"OK: {report.summary()}")
        return 0
    print(f"BROKEN: {report.problem}")
    print(f"checked before the break: {report.summary()}")
    return 1


def _signing_key_rotate(services: Services, _args: argparse.Namespace) -> None:
    migrate.ensure_migrated(services.db.engine)
    made = services.db.call(signing_keys.rotate, actor_id=None, now=utcnow())
    print(f"New signing key {made.kid}; the earlier keys stay published at /.well-known/jwks.json.")


def _with_signing_key_commands(
    parser: argparse.ArgumentParser, commands: argparse._SubParsersAction[argparse.ArgumentParser]
) -> argparse.ArgumentParser:
    keys = commands.add_parser("signing-key", help="the Ed25519 keys that sign Open Badges credentials")
    keys_commands = keys.add_subparsers(dest="signing_key_command", required=True)
    keys_commands.add_parser("rotate", help="sign with a new key from now on (old keys stay published)").set_defaults(
        handler=_signing_key_rotate
    )
    return parser


DESCRIPTION = "Proctored online exam delivery engine."
BENCH_HELP = "examengine bench BENCHMARK [options] runs a benchmark of a checkout (docs/performance.md)."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="examengine", description=DESCRIPTION, epilog=BENCH_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=_migrate)
    commands.add_parser("demo", help="load demo data").set_defaults(handler=_demo)
    jobs = commands.add_parser("scheduler", help="run the periodic jobs (EXAMENGINE_SCHEDULER=external)")
    jobs.add_argument("--once", action="store_true", help="run every job once and exit")
    jobs.set_defaults(handler=_scheduler)
    preassemble = commands.add_parser("preassemble", help="prepare the forms of sittings about to open, now")
    preassemble.add_argument("--sitting", help="only this sitting, whenever it opens (unless it has closed)")
    preassemble.set_defaults(handler=_preassemble)
    users = commands.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", action="append", required=True, help="repeat for several roles")
    create.add_argument("--password")
    create.set_defaults(handler=_users_create)
    set_password = users.add_parser("set-password", help="set a user's password, ending their sessions and tokens")
    set_password.add_argument("--email", required=True)
    set_password.add_argument("--password", required=True)
    set_password.set_defaults(handler=_users_set_password)
    tokens = commands.add_parser("tokens", help="API tokens").add_subparsers(dest="tokens_command", required=True)
    token = tokens.add_parser("create", help="print a new API token for a user")
    token.add_argument("--email", required=True)
    token.add_argument("--hours", type=int, default=12)
    token.set_defaults(handler=_tokens_create)
    analyze = commands.add_parser("analyze", help="item and test analysis of a response matrix (CSV)")
    analyze.add_argument("responses", help="CSV of examinees x items: option ids or 0/1 scores")
    analyze.add_argument("--key", help="one-line CSV of keys in item order, or an item,key CSV")
    analyze.add_argument("--format", choices=("json", "csv", "html"), default="json")
    analyze.add_argument(
        "--missing",
        choices=("wrong", "exclude"),
        default="wrong",
        help="how an unanswered cell counts (default: wrong)",
    )
    analyze.add_argument("--missing-code", action="append", help="a value that means omitted, e.g. 8")
    analyze.add_argument("--cut", type=float, help="raw cut score to mark on the HTML histogram")
    analyze.set_defaults(handler=_analyze)
    items = commands.add_parser("items", help="the item bank").add_subparsers(dest="items_command", required=True)
    item_import = items.add_parser("import", help="import items (QTI, GIFT, Aiken, CSV, native)")
    item_import.add_argument("paths", nargs="+")
    item_import.add_argument("--format", choices=("native", "qti", "gift", "aiken", "csv"))
    item_import.add_argument("--valid-only", action="store_true", help="import the good items, report the rest")
    item_import.set_defaults(handler=_items_import)
    item_export = items.add_parser("export", help="export the latest versions as a QTI 3.0 package")
    item_export.add_argument("--status", choices=("draft", "review", "approved", "retired"))
    item_export.add_argument("--output", default="items.zip")
    item_export.set_defaults(handler=_items_export)
    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="check every hash chain; exit 1 naming the first broken record").set_defaults(
        handler=_audit_verify
    )
    backup = commands.add_parser("backup", help="write a verified backup of the database (safe while serving)")
    backup.add_argument("path", help="the backup file to create (never overwritten)")
    backup.set_defaults(handler=_backup)
    restore = commands.add_parser("restore", help="replace the database with a backup (stop the server first)")
    restore.add_argument("path", help="a file written by `examengine backup`")
    restore.set_defaults(handler=_restore)
    return _with_signing_key_commands(parser, commands)


def _bench(rest: Sequence[str]) -> int:
    """`examengine bench BENCHMARK [options]`: the checkout's benchmarks (bench/, not installed with the product),
    run as `python -m bench` from the checkout's root (docs/performance.md)."""
    if not (PROJECT_ROOT / "bench" / "__main__.py").exists():
        print(f"examengine bench: the benchmarks live in a checkout of examengine (no bench/ in {PROJECT_ROOT})")
        return 2
    return subprocess.call([sys.executable, "-m", "bench", *rest], cwd=PROJECT_ROOT)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["bench"]:  # before the services: a benchmark builds its own scratch database
        return _bench(given[1:])
    args = build_parser().parse_args(given)
    try:
        services = Services.build(Settings.from_env())
    except SettingsError as error:
        print(f"examengine: {error}", file=sys.stderr)
        return 2
    try:
        exit_code = args.handler(services, args)  # a handler may answer a status (audit verify: 1 when broken)
    except (CommandError, DomainError, migrate.NotMigrated) as error:
        print(f"examengine: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    finally:
        services.db.dispose()
    return int(exit_code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
