"""Flask commands: users, demo data, audit verification, backups."""
from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from pbj.extensions import db
from pbj.models.accounts import Organisation, OrgKind, Role
from pbj.services import accounts, audit
from pbj.services.errors import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(orgs_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(orders_cli)
    app.cli.add_command(holidays_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(ocds_cli)
    app.cli.add_command(flags_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(nginx_config_command)


@click.group("orgs", help="Manage organisations (OPD, UKPBJ).")
def orgs_cli():
    pass


@orgs_cli.command("create")
@click.option("--kind", required=True, type=click.Choice([OrgKind.OPD.value, OrgKind.UKPBJ.value]))
@click.option("--name", required=True)
@click.option("--code", required=True, help="Short code used in document numbers, e.g. DISDIK.")
def create_org_command(kind, name, code):
    """Create an OPD or the UKPBJ (suppliers register themselves)."""
    try:
        org = accounts.create_organisation(None, OrgKind(kind), name, code)
    except DomainError as e:
        raise click.ClickException(str(e.message))
    db.session.commit()
    click.echo(f"Created {org.kind.value} {org.name} ({org.code}), id {org.id}.")


@click.group("users", help="Manage user accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org", "org_ref", required=True, help="Organisation code (e.g. DISDIK) or numeric id.")
@click.option("--name", default=None, help="Full name (default: the part of the e-mail before @).")
@click.option("--password", default=None, help="Omit to generate one and print it.")
def create_user_command(email, role, org_ref, name, password):
    """Create a user in an existing organisation."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == org_ref.upper()))
    if org is None and org_ref.isdecimal() and len(org_ref) < 19:
        org = db.session.get(Organisation, int(org_ref))
    if org is None:
        raise click.ClickException(f"No organisation with code or id {org_ref!r}.")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = accounts.create_user(None, org=org, email=email, name=name or email.split("@")[0],
                                    role=Role(role), password=password)
    except DomainError as e:
        raise click.ClickException(str(e.message))
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}) in {org.name}.")
    if generated:
        click.echo(f"Password: {password}")


@click.group("audit", help="Audit trail tools.")
def audit_cli():
    pass


@audit_cli.command("verify")
def audit_verify():
    """Check the hash chain; name the first broken entry."""
    from pbj.clock import utcnow
    from pbj.services import audit_trail

    report = audit_trail.verify(None, utcnow())  # recorded, so the audit page shows when it last ran
    db.session.commit()
    if report.ok:
        click.echo(f"OK: {report.checked} entries, chain intact.")
        return
    click.echo(f"BROKEN at entry {report.first_broken_id}: {report.problem} "
               f"({report.checked} entries before it are intact).", err=True)
    sys.exit(1)


@click.group("orders", help="Order housekeeping (meant for cron).")
def orders_cli():
    pass


@orders_cli.command("expire")
@click.option("--now", "at", metavar="DATETIME",
              help="Expire what was overdue at this past moment: ISO 8601, city time (CITY_TIMEZONE) "
                   "unless it carries an offset (2026-11-20T08:00, or 2026-11-20T01:00Z for UTC). "
                   "Default: now.")
def orders_expire(at):
    """Expire orders past the deadline of their stage and release their stock.

    An order not yet confirmed expires at the supplier's deadline (or the buyer's,
    while the supplier's own price offer waits); a confirmed one at the PPK's. The
    audit entry and the notices name who missed it.

    Safe to run as often as you like (e.g. every 15 minutes from cron): an order
    is expired once, and one acted on meanwhile is left alone.
    """
    from pbj.clock import parse_moment, utcnow
    from pbj.services import orders

    now = utcnow()
    if at is not None:
        try:
            moment = parse_moment(at)  # read here: the city's time zone needs the app
        except ValueError:
            raise click.BadParameter(f"{at!r} is not an ISO 8601 date-time such as 2026-11-20T08:00",
                                     param_hint="'--now'")
        if moment > now:
            # A moment ahead of the clock would expire orders before their deadline.
            raise click.BadParameter("must not be later than the current time", param_hint="'--now'")
        now = moment
    expired = orders.expire_overdue(now)
    db.session.commit()
    if expired:
        missed = {}
        for order_id in expired:
            entry = audit.entries_for("orders", order_id)[-1]
            missed[order_id] = entry.detail_data.get("missed_by", "?")
        click.echo(f"Expired {len(expired)} order(s): "
                   + ", ".join(f"#{i} (missed by the {missed[i]})" for i in expired) + ".")
    else:
        click.echo("No overdue orders.")


@click.group("ocds", help="Open data in OCDS 1.1 (docs/OPEN-DATA.md).")
def ocds_cli():
    pass


@ocds_cli.command("dump")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="Budget year of the orders.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output, e.g. `> releases-2026.jsonl.gz`).")
def ocds_dump(year, output):
    """Every release of a budget year's published orders: JSON Lines, gzip-compressed."""
    from flask import current_app

    from pbj.services import ocds

    lines = (ocds.to_json(release) for release in ocds.year_releases(current_app.config, year))
    if output is None and sys.stdout.isatty():
        raise click.ClickException("The output is gzip: redirect it to a file or use --output.")
    target = open(output, "wb") if output else click.get_binary_stream("stdout")
    try:
        for chunk in ocds.gzip_lines(lines):
            target.write(chunk)
    finally:
        if output:
            target.close()
        else:
            target.flush()


@click.group("holidays", help="Holidays and cuti bersama skipped when counting working days.")
def holidays_cli():
    pass


@holidays_cli.command("import")
@click.argument("file", type=click.File("rb"))
def holidays_import(file):
    """Load holidays from a CSV file: tanggal;nama;jenis (nasional, cuti bersama, daerah).

    All or nothing: a file with a bad row changes nothing and every bad row is
    listed. A date already known takes the file's name and kind.
    """
    from contextlib import ExitStack

    from pbj.cli_progress import Progress
    from pbj.clock import utcnow
    from pbj.services import holidays

    with Progress() as progress, ExitStack() as rows:
        try:
            result = holidays.import_csv(
                None, file.read(), utcnow(),
                progress=lambda total: rows.enter_context(progress.task("Holidays", total)))
        except holidays.BadRows as refused:
            db.session.rollback()
            for line, message in refused.rows:
                click.echo(f"line {line}: {message}" if line else message, err=True)
            raise click.ClickException(f"{len(refused.rows)} bad row(s); nothing was imported.")
    db.session.commit()
    click.echo(f"Added {result.added}, changed {result.changed}, unchanged {result.unchanged}.")


@holidays_cli.command("seed")
@click.argument("year", type=click.IntRange(1970, 2100))
def holidays_seed(year):
    """Add YEAR's national holidays (Imlek included) from the `holidays` package.

    Dates already in the table are kept as they are. Cuti bersama are not in it:
    add them from the year's joint decree (SKB 3 Menteri) on the admin page or
    with `flask holidays import`.
    """
    from pbj.clock import utcnow
    from pbj.services import holidays

    added, kept = holidays.seed_national(None, year, utcnow())
    db.session.commit()
    click.echo(f"{year}: added {added} national holiday(s), kept {kept} already listed. "
               "Add the year's cuti bersama from the joint decree (SKB 3 Menteri).")


@click.group("mail", help="E-mail written to the outbox in development (no MAIL_SERVER).")
def mail_cli():
    pass


@mail_cli.command("latest")
@click.option("--to", "to", default=None, help="Only messages to this address (or part of it).")
def mail_latest(to):
    """Print the newest message in instance/outbox/, decoded.

    The files hold the text as sent (quoted-printable, which splits long links
    over lines); this prints it as the recipient reads it, links whole.
    """
    from flask import current_app

    from pbj.services import mail

    found = mail.latest_in_outbox(to)
    if found is None:
        where = mail.outbox_folder()
        server = current_app.config.get("MAIL_SERVER")
        if server:
            raise click.ClickException(f"No message in {where}: e-mail goes to the server {server}.")
        raise click.ClickException(f"No message{' to ' + to if to else ''} in {where}.")
    path, message = found
    click.echo(f"File:    {path.name}")
    for header in ("From", "To", "Subject"):
        click.echo(f"{header + ':':<8} {message[header]}")
    click.echo("")
    body = message.get_body(preferencelist=("plain",))
    click.echo(body.get_content().rstrip("\n") if body is not None else "(no plain-text part)")


@click.group("flags", help="Risk flags for the Inspectorate (/pengawasan).")
def flags_cli():
    pass


@flags_cli.command("refresh")
def flags_refresh():
    """Find every risk pattern again and store the flags (nightly, from cron)."""
    from pbj.cli_progress import Progress
    from pbj.clock import city_today, utcnow
    from pbj.extensions import db
    from pbj.models.flags import FlagKind
    from pbj.services import flags

    with Progress() as progress:
        with progress.task("Risk flags", total=len(FlagKind)) as advance:
            counts = flags.refresh(utcnow(), city_today(), advance)
        db.session.commit()
    for kind, n in counts.items():
        click.echo(f"{kind.value}: {n}")
    click.echo(f"Risk flags: {sum(counts.values())} active.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def backup_command(file, force):
    """Write the database and the uploads to FILE (a tar; .tar.gz compresses); safe while the app serves."""
    from pbj.services import backup

    try:
        manifest = backup.backup(file, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {file}: {manifest.database} database at migration {manifest.migration}, "
               f"{len(manifest.rows)} tables, {manifest.total_rows:,} rows; {manifest.files:,} uploaded files; "
               f"{file.stat().st_size / 1024 / 1024:.1f} MiB.")
    for name in manifest.missing_files:
        click.echo(f"Removed while the backup ran, not in it: {name}", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data and restore into an upload "
                                             "folder that holds files.")
def restore_command(file, force):
    """Put a backup made by `backup` in place of the configured database and uploads (stop the app first)."""
    from pbj.services import backup

    try:
        manifest = backup.restore(file, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {file} (made {manifest.created_at}, version {manifest.app_version}): "
               f"{len(manifest.rows)} tables, {manifest.total_rows:,} rows, all counts as in the backup; "
               f"{manifest.files:,} uploaded files.")
    click.echo("Then run `flask --app app db upgrade` if this version of the app is newer than the backup's.")


@click.command("nginx-config")
@click.option("--upstream", "upstreams", multiple=True, required=True, metavar="HOST:PORT",
              help="An app server (gunicorn's --bind); repeat for each.")
@click.option("--certificate", required=True, help="The TLS certificate (full chain), an absolute path.")
@click.option("--certificate-key", required=True, help="Its private key, an absolute path.")
@click.option("--server-name", default=None, help="The public host name; default: PUBLIC_BASE_URL's.")
@click.option("--listen", default="443", show_default=True, help="Where HTTPS is served.")
@click.option("--http-listen", default="80", show_default=True,
              help="Where plain HTTP is redirected to HTTPS; 'none' for no such server.")
def nginx_config_command(upstreams, certificate, certificate_key, server_name, listen, http_listen):
    """Print the nginx site for this app: static files and photos from this app's folders,
    the rest to the app servers (docs/DEPLOY.md)."""
    from pbj import deploy

    site = deploy.NginxSite(server_name=server_name or deploy.default_server_name(), upstreams=tuple(upstreams),
                            certificate=certificate, certificate_key=certificate_key, listen=listen,
                            http_listen=None if http_listen.lower() == "none" else http_listen)
    try:
        click.echo(deploy.nginx_config(site))
    except deploy.DeployError as error:
        raise click.ClickException(str(error)) from None


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has organisations.")
@click.option("--products", default=3000, show_default=True, type=click.IntRange(0, 100_000),
              help="How many demo products to list at most (each supplier lists only what fits its "
                   "business, each name once, so the demo may hold fewer).")
@click.option("--orders", default=None, type=click.IntRange(0, 20_000),
              help="How many demo orders to replay over the past year.  [default: a tenth of --products, "
                   "at most 250]")
def seed_demo(if_empty, products, orders):
    """Load a realistic Kota Singkawang setting with random passwords."""
    from pbj.demo import seed

    if db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; seed-demo only fills an empty one.")
    from pbj.cli_progress import Progress

    with Progress() as progress:
        credentials = seed(products=products, orders=orders, progress=progress)
        db.session.commit()
    from flask import current_app

    path = Path(current_app.instance_path) / "demo-credentials.txt"
    lines = ["Demo accounts (random passwords, made by seed-demo):", ""]
    lines += [f"{role:<10} {email:<45} {password}" for role, email, password in credentials]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    click.echo("\n".join(lines))
    click.echo(f"\nWritten to {path}")
