"""Backups of the database and the uploads in one archive, and restoring them.

The archive is a tar file (gzip-compressed when its name ends in `.gz` or `.tgz`):

- `manifest.json` — what it holds: the format, when, the app's version, the database
  kind, its migration and the number of rows of every table at the moment of the copy;
- `database/pbj.sqlite3` — SQLite: a copy made with SQLite's online backup API, in one
  step, so it is the database at one instant while the app goes on writing (WAL);
- `database/pbj.dump` — PostgreSQL: `pg_dump --format=custom` of the same instant the
  rows were counted in (an exported snapshot);
- `uploads/…` — the upload folder (product photos, supplier documents, delivery photos).

The database is copied first and the files after it, so every file a row of the copy
names is in the archive (stored files are never changed, only added; a file removed
in between is reported). Restoring checks every table's rows against the manifest.
docs/OPERATIONS.md, "Backups".
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore with argument lists and never a shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from pbj.clock import utcnow
from pbj.extensions import db
from pbj.services.uploads import upload_root

FORMAT = "pbj-backup"
FORMAT_VERSION = 1
SQLITE_MEMBER = "database/pbj.sqlite3"
POSTGRES_MEMBER = "database/pbj.dump"
UPLOADS_MEMBER = "uploads"
# Tables whose rows mean a database is in use: restore replaces them only with --force.
_DATA_TABLES = ("organisations", "users", "suppliers", "products", "orders")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Manifest:
    database: str  # "sqlite" or "postgresql"
    created_at: str
    app_version: str
    migration: str | None
    rows: dict[str, int]
    files: int = 0
    missing_files: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, **self.__dict__},
                          indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError:
            raise BackupError("The archive's manifest.json is not readable.") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError("This file is not a backup made by `flask backup`.")
        if raw.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"This backup has format version {raw.get('format_version')}; "
                              f"this version of the app reads version {FORMAT_VERSION}.")
        try:
            return cls(database=raw["database"], created_at=raw["created_at"],
                       app_version=raw["app_version"], migration=raw["migration"],
                       rows={str(k): int(v) for k, v in raw["rows"].items()},
                       files=int(raw.get("files", 0)), missing_files=list(raw.get("missing_files", [])))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError("The archive's manifest.json is incomplete.") from None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# -- Backup ---------------------------------------------------------------------------

def backup(target: Path, *, force: bool = False) -> Manifest:
    """Write the database and the uploads to `target`; the archive appears whole or not at all."""
    target = Path(target)
    if target.exists() and not force:
        raise BackupError(f"{target} exists already; choose another name or add --force to replace it.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    kind = _database_kind()
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="pbj-backup-", dir=target.parent) as work:
        copy = Path(work) / "database"
        if kind == "sqlite":
            _sqlite_snapshot(_sqlite_path(), copy)
            rows, migration = _count_sqlite(copy)
            member = SQLITE_MEMBER
        else:
            rows, migration = _postgres_dump(copy)
            member = POSTGRES_MEMBER
        manifest = Manifest(database=kind, created_at=utcnow().isoformat(timespec="seconds") + "Z",
                            app_version=current_app.config["VERSION"], migration=migration, rows=rows)
        try:
            with tarfile.open(partial, _write_mode(target)) as archive:
                archive.add(copy, arcname=member)
                _add_uploads(archive, manifest)
                _add_bytes(archive, "manifest.json", manifest.to_json())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def _write_mode(target: Path) -> str:
    return "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"


def _database_kind() -> str:
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups know SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path() -> Path:
    path = db.engine.url.database
    if not path or path == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up.")
    return Path(path)


def _sqlite_snapshot(source: Path, copy: Path) -> None:
    """SQLite's online backup in one step: the database at one instant; in WAL mode the
    app's writers go on meanwhile (a reader never blocks them)."""
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    src = sqlite3.connect(source, timeout=timeout)
    dst = sqlite3.connect(copy)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        dst.close()
        src.close()


def _count_sqlite(path: Path) -> tuple[dict[str, int], str | None]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        # Shadow tables of the full-text index are counted with the rest: restoring checks them too.
        rows = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # nosec B608  # names from sqlite_master
        migration = None
        if "alembic_version" in tables:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            migration = found[0] if found else None
        return rows, migration
    finally:
        conn.close()


def _postgres_tables(conn) -> list[str]:
    return list(conn.execute(sa.text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).scalars())


def _count_postgres(conn) -> tuple[dict[str, int], str | None]:
    tables = _postgres_tables(conn)
    rows = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}  # nosec B608  # names from pg_tables
    migration = None
    if "alembic_version" in tables:
        migration = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return rows, migration


def _postgres_dump(copy: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump of the very snapshot the rows are counted in, so the manifest matches the dump."""
    pg_dump = _program("pg_dump")
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            rows, migration = _count_postgres(conn)
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={copy}", "--dbname", _libpq_url()])
    return rows, migration


def _add_uploads(archive: tarfile.TarFile, manifest: Manifest) -> None:
    root = upload_root()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue  # we store plain files only; anything else was not put there by the app
        name = f"{UPLOADS_MEMBER}/{path.relative_to(root).as_posix()}"
        try:
            archive.add(path, arcname=name, recursive=False)
        except FileNotFoundError:  # removed after the listing: a photo deleted just now
            manifest.missing_files.append(name)
            continue
        manifest.files += 1


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(utcnow().timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


# -- Restore --------------------------------------------------------------------------

def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source) as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            return Manifest.from_json(member.read())
    except KeyError:
        raise BackupError(f"{source} has no manifest.json: not a backup made by `flask backup`.") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{source} cannot be read as a backup archive ({error}).") from None


def restore(source: Path, *, force: bool = False) -> Manifest:
    """Put the archive's database and uploads in place of the configured ones, then check
    every table's row count against the manifest. Without `force`, refuses a database
    that holds data or an upload folder with files in it. Stop the app first."""
    source = Path(source)
    manifest = read_manifest(source)
    kind = _database_kind()
    if manifest.database != kind:
        raise BackupError(f"This backup is of a {manifest.database} database; the app is configured "
                          f"for {kind}. Set DATABASE_URL to a database of the same kind.")
    if not force:
        _refuse_to_overwrite(kind)
    root = upload_root()
    with tempfile.TemporaryDirectory(prefix="pbj-restore-") as work:
        work = Path(work)
        try:
            with tarfile.open(source) as archive:
                member = SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER
                archive.extract(member, work, filter="data")
                uploads = [m for m in archive.getmembers() if m.name.startswith(UPLOADS_MEMBER + "/")]
                archive.extractall(work, members=uploads, filter="data")
        except KeyError:
            raise BackupError(f"{source} holds no database copy.") from None
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{source} cannot be read as a backup archive ({error}).") from None
        db.session.remove()
        db.engine.dispose()  # no pooled connection may keep the old database
        if kind == "sqlite":
            _restore_sqlite(work / member)
        else:
            _restore_postgres(work / member)
        _restore_uploads(work / UPLOADS_MEMBER, root)
    _check_rows(manifest)
    return manifest


def _refuse_to_overwrite(kind: str) -> None:
    if kind == "sqlite":
        path = _sqlite_path()
        held = path.exists() and path.stat().st_size > 0 and _count_sqlite(path)[0]
    else:
        with db.engine.connect() as conn:
            held = _count_postgres(conn)[0]
    # A migrated but unused database holds categories and counters, not users or orders.
    found = {t: held[t] for t in _DATA_TABLES if held and held.get(t)}
    if found:
        what = ", ".join(f"{n} {t}" for t, n in found.items())
        raise BackupError(f"The configured database already holds data ({what}); restoring replaces "
                          "all of it. Add --force to do so (stop the app first).")
    root = upload_root()
    if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
        raise BackupError(f"The upload folder {root} already holds files. Add --force to restore "
                          "into it (files of the same name are replaced, others left).")


def _restore_sqlite(copy: Path) -> None:
    """Through SQLite's backup API into the configured file: its WAL is honoured, and the
    copy replaces the content in one transaction (a failure leaves the old database)."""
    conn = sqlite3.connect(copy)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"The database in the backup is damaged: {ok}")
        target = _sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=current_app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        try:
            conn.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # as the app runs it
        finally:
            dst.close()
    finally:
        conn.close()


def _restore_postgres(dump: Path) -> None:
    """pg_restore in one transaction, dropping what the dump creates first (--clean):
    a failure leaves the database as it was."""
    _run([_program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", "--dbname", _libpq_url(), str(dump)])


def _restore_uploads(extracted: Path, root: Path) -> None:
    if not extracted.is_dir():
        return
    for path in sorted(extracted.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(extracted)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _check_rows(manifest: Manifest) -> None:
    if manifest.database == "sqlite":
        found, _ = _count_sqlite(_sqlite_path())
    else:
        with db.engine.connect() as conn:
            found, _ = _count_postgres(conn)
    wrong = [f"{t}: {n} in the backup, {found.get(t, 'no table')} restored"
             for t, n in manifest.rows.items() if found.get(t) != n]
    if wrong:
        raise BackupError("The restored database does not match the backup: " + "; ".join(wrong))


# -- PostgreSQL's programs --------------------------------------------------------------

def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _libpq_url() -> str:
    """The database URL as libpq reads it, without the password (passed in PGPASSWORD)."""
    url = db.engine.url.set(drivername="postgresql", password=None)
    return url.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = db.engine.url.password
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # nosec B603  # no shell and our own arguments
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")
