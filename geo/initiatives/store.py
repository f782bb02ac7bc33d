"""Initiatives in a real database through SQLAlchemy: SQLite in the data directory, or PostgreSQL.

`DATABASE_URL` selects PostgreSQL (e.g. postgresql+psycopg2://user@host/db); otherwise
`$PARKSTAD_DATA_DIR/initiatives.sqlite`. A database that was never set up is seeded from data/initiatives.csv,
once: a marker in the database (`store_meta`) and, for SQLite, a file beside it (`<file>.initialised`) say it
was. A database that was set up before but is now empty, unreadable or not a database at all is never seeded
again (staff edits would vanish without a word): it raises StoreDamaged with what to do, and pages that only
read initiatives show that they are unavailable.
Every write runs in one transaction and needs an `Actor`, which only the CLI and a signed-in staff
session can produce; the actor is recorded with the change.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.config import data_dir, secret
from geo.data.region import current as current_region
from geo.initiatives.schema import Initiative, finite_or_none

metadata = sa.MetaData()
initiatives = sa.Table(
    "initiatives", metadata,
    sa.Column("initiative_id", sa.String(80), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("programme", sa.String(200), nullable=False),
    sa.Column("area_id", sa.String(80)),
    sa.Column("gemeentecodes", sa.Text, nullable=False, default=""),
    sa.Column("buurtcodes", sa.Text, nullable=False, default=""),
    sa.Column("theme_ids", sa.Text, nullable=False),
    sa.Column("partners", sa.Text, nullable=False, default=""),
    sa.Column("budget_eur", sa.Float),
    sa.Column("budget_note", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("status_as_of", sa.Integer, nullable=False),
    sa.Column("start_year", sa.Integer),
    sa.Column("end_year", sa.Integer),
    sa.Column("description_nl", sa.Text, nullable=False, default=""),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)
store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)
staff_accounts = sa.Table(  # named staff accounts (geo.initiatives.accounts)
    "staff_accounts", metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
FIELDS = [c.name for c in initiatives.columns if c.name not in ("archived", "created_at", "updated_at", "updated_by")]


@dataclass(frozen=True)
class Actor:
    """Who writes. Created by geo.initiatives.auth for signed-in staff, or by the command line."""

    name: str


@dataclass
class Record:
    initiative: Initiative
    archived: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str


class StoreDamaged(RuntimeError):
    """The initiatives database was set up before and is now empty or unreadable; the message says what to do."""


def database_url() -> str:
    """$DATABASE_URL (or the file $DATABASE_URL_FILE names), else SQLite beside the cache."""
    url = secret("DATABASE_URL")
    if url:
        return url.replace("postgres://", "postgresql://", 1)
    return f"sqlite:///{data_dir() / 'initiatives.sqlite'}"


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, pool_pre_ping=True, future=True, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _wal(connection, _record):  # readers never wait for a writer; writers queue for 30 s
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except Exception as exc:  # noqa: BLE001 - a read-only file: reading (an export) must still work
                logging.getLogger("geo.store").info("SQLite journal mode left as it is: %s", exc)

        return engine
    return sa.create_engine(url, pool_pre_ping=True, future=True)


def create_if_absent(engine: Engine, tables: sa.MetaData, table: sa.Table, attempts: int = 8) -> None:
    """Create the tables if they are not there. Two first starts at once may both try: the loser of a race over
    one table tries again (the others are created table by table, each checked first) until every table is
    there. A database that cannot be written (a read-only copy) is used as it is if it has `table`."""
    import time

    for attempt in range(attempts):
        try:
            tables.create_all(engine)
            return
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as exc:
            present = set(sa.inspect(engine).get_table_names())
            if all(name in present for name in tables.tables):
                return
            read_only = "readonly" in str(exc).lower() or "read-only" in str(exc).lower()
            if read_only or attempt == attempts - 1:
                if table.name in present:
                    return  # work with what is there
                raise
            time.sleep(0.05 * (attempt + 1))  # the other start is creating the rest


def insert_if_absent(engine: Engine, table: sa.Table = initiatives):
    """INSERT that skips rows whose key another process has just inserted (both databases support it)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=[c.name for c in table.primary_key])


class Store:
    def __init__(self, url: str | None = None, seed_file: Path | None | str = "region"):
        """`seed_file` "region": the region file's initiatives (if it names one); None: no seeding."""
        self.url = url or database_url()
        self.engine = _engine(self.url)
        try:
            self._open(seed_file)
        except sa.exc.DatabaseError as exc:  # "file is not a database", a truncated file, a broken server
            reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
            logging.getLogger("geo.store").error("initiatives database %s cannot be read: %s", self._where(), reason)
            raise StoreDamaged(f"the initiatives database {self._where()} cannot be read ({reason}): restore it "
                               "from a backup; nothing was changed") from exc

    def _where(self) -> str:
        return Path(self.url.removeprefix("sqlite:///")).name if self.url.startswith("sqlite") else "(PostgreSQL)"

    def _marker_file(self) -> Path | None:
        """Beside a plain SQLite file (not for PostgreSQL, nor for SQLite URIs such as a read-only open)."""
        path = self.url.removeprefix("sqlite:///")
        if not self.url.startswith("sqlite:///") or "?" in path or path.startswith("file:") or not path:
            return None
        database = Path(path)
        return database.with_name(database.name + ".initialised")

    def _open(self, seed_file) -> None:
        marker = self._marker_file()
        was_set_up = marker is not None and marker.exists()
        inspector = sa.inspect(self.engine)
        if was_set_up and not inspector.has_table(initiatives.name):
            logging.getLogger("geo.store").error("initiatives database %s was set up before and is now empty",
                                                 self._where())
            raise StoreDamaged(f"the initiatives database {self._where()} was set up before and is now empty or "
                               f"replaced: restore it from a backup (or, to start again from the seed, remove "
                               f"{marker.name}); nothing was changed")
        self._create()
        with self.engine.connect() as conn:
            initialised = conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "initialised")).first()
        if initialised is None:
            if seed_file == "region":
                seed_file = current_region().path_of("initiatives")
            if seed_file is not None and self.count(include_archived=True) == 0:
                self._seed(seed_file)
            with self.engine.begin() as conn:
                conn.execute(insert_if_absent(self.engine, store_meta).values(
                    key="initialised", value=datetime.now(UTC).isoformat(timespec="seconds")))
        if marker is not None and not was_set_up:
            try:
                marker.write_text("this database was set up; it is never seeded again\n", encoding="utf-8")
            except OSError as exc:  # a read-only folder: the marker in the database still holds
                logging.getLogger("geo.store").warning("cannot write %s: %s", marker.name, exc)

    def _create(self) -> None:
        create_if_absent(self.engine, metadata, initiatives)

    def _seed(self, path: Path) -> None:
        """Insert the seed rows that are not there yet, in one transaction: a concurrent seeder's rows are
        skipped instead of failing on their ids, and neither start fails."""
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        items = [Initiative.model_validate({k: v for k, v in row.items() if k}) for row in rows]
        now, actor = datetime.now(UTC), Actor(f"seed:{path.name}")
        values = [{**{k: v for k, v in item.as_row().items() if k in FIELDS}, "created_at": now, "updated_at": now,
                   "updated_by": actor.name, "archived": False} for item in items]
        for row in values:
            row["area_id"] = row["area_id"] or None
        with self.engine.begin() as conn:
            conn.execute(insert_if_absent(self.engine), values)

    # --- reading ---------------------------------------------------------------------------------

    def count(self, include_archived: bool = False) -> int:
        query = sa.select(sa.func.count()).select_from(initiatives)
        if not include_archived:
            query = query.where(initiatives.c.archived.is_(False))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def records(self, include_archived: bool = False) -> list[Record]:
        query = sa.select(initiatives).order_by(initiatives.c.initiative_id)
        if not include_archived:
            query = query.where(initiatives.c.archived.is_(False))
        with self.engine.connect() as conn:
            return [_record(row._mapping) for row in conn.execute(query)]

    def all(self, include_archived: bool = False) -> list[Initiative]:
        return [r.initiative for r in self.records(include_archived)]

    def get(self, initiative_id: str) -> Record | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(initiatives).where(initiatives.c.initiative_id == initiative_id)).first()
        return _record(row._mapping) if row else None

    def version(self) -> str:
        """Changes whenever anything is written: a cache key for readers."""
        query = sa.select(sa.func.count(), sa.func.max(initiatives.c.updated_at))
        with self.engine.connect() as conn:
            count, latest = conn.execute(query).one()
        return f"{count}:{latest}"

    # --- writing (one transaction each) ----------------------------------------------------------

    def upsert(self, items: list[Initiative], actor: Actor) -> tuple[int, int]:
        """Insert new and update existing initiatives, all or nothing. Returns (inserted, updated)."""
        _require(actor)
        now = datetime.now(UTC)
        inserted = updated = 0
        with self.engine.begin() as conn:
            existing = set(conn.execute(sa.select(initiatives.c.initiative_id)).scalars())
            for item in items:
                values = {k: v for k, v in item.as_row().items() if k in FIELDS}
                values["area_id"] = values["area_id"] or None
                values |= {"updated_at": now, "updated_by": actor.name}
                if item.initiative_id in existing:
                    conn.execute(initiatives.update()
                                 .where(initiatives.c.initiative_id == item.initiative_id).values(**values))
                    updated += 1
                else:
                    conn.execute(initiatives.insert().values(**values, created_at=now, archived=False))
                    existing.add(item.initiative_id)
                    inserted += 1
        return inserted, updated

    def set_archived(self, initiative_id: str, archived: bool, actor: Actor) -> bool:
        _require(actor)
        with self.engine.begin() as conn:
            result = conn.execute(
                initiatives.update().where(initiatives.c.initiative_id == initiative_id)
                .values(archived=archived, updated_at=datetime.now(UTC), updated_by=actor.name)
            )
        return result.rowcount == 1


def _require(actor: Actor) -> None:
    if not isinstance(actor, Actor) or not actor.name:
        raise PermissionError("writing initiatives needs a signed-in staff member or the command line")


def _record(row) -> Record:
    data = {k: row[k] for k in FIELDS}
    data["area_id"] = data["area_id"] or None
    for key in ("budget_eur", "lat", "lon"):  # rows written before non-finite numbers were refused
        data[key] = finite_or_none(data[key])
    return Record(
        initiative=Initiative.model_construct(**{
            **data,
            "gemeentecodes": (data["gemeentecodes"] or "").split(),
            "buurtcodes": (data["buurtcodes"] or "").split(),
            "theme_ids": (data["theme_ids"] or "").split(),
            "partners": [p.strip() for p in (data["partners"] or "").split(";") if p.strip()],
        }),
        archived=bool(row["archived"]),
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
        updated_by=row["updated_by"],
    )


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything written here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
