"""`python -m geo sync|info|areas`: the data layer's command line (an interface others rely on)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from geo.config import DEFAULT_YEAR, data_dir


def _print_err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_sync(args) -> int:
    import os

    from geo.data.region import current
    from geo.data.sources import open_source
    from geo.data.sync import parse_years, sync

    if args.region:
        os.environ["PARKSTAD_REGION"] = args.region
    region = current()  # a wrong region file stops here, before anything is fetched
    try:
        years = parse_years(args.years) if args.years else ([args.year] if args.year else None)
    except ValueError as exc:
        _print_err(f"error: {exc}")
        return 2
    started = time.monotonic()
    source = open_source(args.source)
    asked = args.years or args.year or "all years"
    _print_err(f"sync {asked} of region {region.id} from {source.kind} {source.location} into {data_dir()}")
    manifest = sync(source, years, progress=_print_err, clean=args.clean)
    counts = ", ".join(f"{n} {name}" for name, n in ((k, v["features"]) for k, v in manifest["layers"].items()))
    years_text = ", ".join(map(str, manifest["years"]))
    print(f"synced {counts} (latest year) for data years {years_text} in {time.monotonic() - started:.1f} s")
    return 0


def cmd_info(args) -> int:
    from geo.data.cache import read_manifest
    from geo.data.sync import table_names

    manifest = read_manifest()
    manifest.setdefault("years", [manifest["year"]])  # caches from before multi-year syncs
    if args.json:
        print(json.dumps(manifest, indent=2, ensure_ascii=False))
        return 0
    print(f"cache:      {data_dir()}")
    print(f"source:     {manifest['source_kind']} {manifest['source']}")
    print(f"year:       {manifest['year']} (latest; data years {', '.join(map(str, manifest['years']))})")
    print(f"fetched at: {manifest['fetched_at']}")
    print(f"licence:    {manifest['licence']}, attribution \"{manifest['attribution']}\"")
    for name, layer in manifest["layers"].items():
        print(f"  {name:<10} {layer['features']:>5} features  {layer['bytes'] / 1024:>7.1f} KiB")
    for year, layers in (manifest.get("by_year") or {}).items():
        print(f"  {year}: " + ", ".join(f"{info['features']} {name}" for name, info in layers.items()))
    for name, info in (manifest.get("tables") or {}).items():
        print(f"  {table_names(name)[0]} {name}: {table_status(info)}")
    return 0


def table_status(info: dict) -> str:
    """One StatLine table in the manifest, in words: rows and fetch date, a kept copy, or why it is missing."""
    if info.get("kept"):
        return (f"{info['rows']} rows, copy fetched {info.get('fetched_at', '?')} kept "
                f"(the last sync could not fetch it: {info.get('unavailable', '')})")
    if info.get("file"):
        return f"{info['rows']} rows, fetched {info.get('fetched_at', '?')}"
    return f"not available ({info.get('unavailable', 'not fetched')})"


def cmd_trend(args) -> int:
    from geo.data.area_data import AreaData
    from geo.maps.trend import UnknownArea, series

    data = AreaData.load()
    if args.indicator not in data.catalogue:
        _print_err(f"error: unknown indicator {args.indicator!r}: see data/indicators.csv for the ids")
        return 1
    try:
        points = series(data, args.area, args.indicator)
    except UnknownArea as exc:
        _print_err(f"error: {exc}")
        return 1
    if args.json:
        print(json.dumps([p.as_json() for p in points], indent=2, ensure_ascii=False))
        return 0
    indicator = data.catalogue[args.indicator]
    print(f"{indicator.label('en')} ({indicator.unit}) for {args.area}")
    for p in points:
        value = "no data" if p.value is None else f"{p.value:,.{indicator.decimals}f}"
        coverage = f"  [{p.covered}/{p.members} with a value]" if p.members is not None else ""
        mark = "  (boundary or code changed since the year before)" if p.break_before else ""
        why = f"  {p.why.text('en')}" if p.why is not None else ""
        print(f"  {p.year}  {value:>12}  {p.source}{coverage}{mark}{why}")
    return 0


def cmd_areas(args) -> int:
    from geo.data.area_data import AreaData
    from geo.maps.areas import build_areas

    data = AreaData.load()
    summaries = build_areas(data)
    if args.json:
        print(json.dumps([s.as_json(data) for s in summaries], indent=2, ensure_ascii=False))
        return 0
    for s in summaries:
        d = s.definition
        people = f"{s.inhabitants:,}".replace(",", ".") if s.inhabitants is not None else "unknown"
        km2 = f"{s.area_km2:.2f}" if s.area_km2 is not None else "?"
        print(f"{d.area_id:<20} {d.name:<26} {d.gemeentenaam:<15} {len(s.buurten):>2} buurten "
              f"{km2:>6} km²  {people:>7} inhabitants  [{d.precision}]")
        if s.unknown_buurten:
            print(f"  warning: buurt codes not in the data: {' '.join(s.unknown_buurten)}")
    return 0


def _load_rows(path: str) -> list[dict]:
    from pathlib import Path

    from geo.initiatives.files import read_rows

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    return read_rows(file.read_bytes(), file.name)


def _check(path: str):
    from geo.data.area_data import AreaData
    from geo.initiatives.schema import Reference, check_rows

    return check_rows(_load_rows(path), Reference.from_data(AreaData.load()))


def cmd_initiatives_validate(args) -> int:
    checked = _check(args.file)
    for problem in checked.problems:
        print(problem)
    print(f"{len(checked.initiatives)} valid, {len(checked.problems)} problem(s)", file=sys.stderr)
    return 0 if checked.ok else 1


def cmd_initiatives_import(args) -> int:
    import getpass

    from geo.initiatives.store import Actor, Store

    checked = _check(args.file)
    if not checked.ok:
        for problem in checked.problems:
            print(problem)
        _print_err(f"error: nothing imported: {len(checked.problems)} problem(s) in {args.file}")
        return 1
    store = Store()
    inserted, updated = store.upsert(checked.initiatives, Actor(f"cli:{getpass.getuser()}"))
    print(f"imported {inserted} new and {updated} updated initiatives into {store.engine.url.render_as_string()}")
    return 0


def cmd_initiatives_export(args) -> int:
    from geo.initiatives.files import export
    from geo.initiatives.placement import Placer
    from geo.initiatives.store import Store

    placer = None
    if args.format == "geojson":
        from geo.data.area_data import AreaData

        placer = Placer(AreaData.load())
    content = export(Store().all(include_archived=True), args.format, placer)
    if args.output:
        from geo.data.cache import atomic_write_bytes

        atomic_write_bytes(args.output, content)
        _print_err(f"wrote {args.output} ({len(content):,} bytes)")
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    return 0


def cmd_staff_password(args) -> int:
    from geo.initiatives.auth import ENV_HASH, hash_password

    password = _new_password()
    if password is None:
        return 1
    print(hash_password(password))
    _print_err(f"put this in {ENV_HASH} or as staff_password_hash in .streamlit/secrets.toml")
    return 0


def _new_password() -> str | None:
    """A password typed twice at a terminal, or one line from standard input; None (said why) when unusable."""
    import getpass

    if sys.stdin.isatty():
        password = getpass.getpass("staff password: ")
        if password != getpass.getpass("again: "):
            _print_err("error: the passwords differ")
            return None
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        _print_err("error: use at least 12 characters")
        return None
    return password


def cmd_staff(args) -> int:
    """Named staff accounts in the initiatives database: add (or new password), remove, list."""
    from geo.initiatives.accounts import AccountError, Accounts, valid_name
    from geo.initiatives.auth import hash_password
    from geo.initiatives.store import Store

    accounts = Accounts(Store())
    if args.action == "list":
        for name in accounts.names():
            print(name)
        return 0
    if not args.name:
        _print_err(f"error: staff {args.action} needs an account name")
        return 2
    if args.action == "remove":
        if not accounts.remove(args.name):
            _print_err(f"error: no account {args.name!r}")
            return 1
        _print_err(f"removed {args.name!r}; what it changed stays recorded under its name")
        return 0
    try:
        name = valid_name(args.name)
    except AccountError as exc:
        _print_err(f"error: {exc}")
        return 2
    password = _new_password()
    if password is None:
        return 1
    created = accounts.set_password(name, hash_password(password))
    _print_err(f"{'added' if created else 'new password for'} {name!r}: staff now sign in with a name and password")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Parkstad dashboard data layer")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sync", help="fetch boundaries and indicators into the local cache")
    p.add_argument("--source", default="pdok",
                   help="pdok (default; $PDOK_API_URL or api.pdok.nl), an http(s) URL, a directory or a .gpkg file")
    p.add_argument("--years", help="data years, e.g. 2019-2024 or 2022,2024 (default: every year from 2019 "
                                   "up to the latest the source has)")
    p.add_argument("--year", type=int, help=f"one data year only (e.g. {DEFAULT_YEAR})")
    p.add_argument("--region", help="a region id (data/regions/<id>.yaml) or a region file (default: "
                                    "$PARKSTAD_REGION, else parkstad-limburg)")
    p.add_argument("--clean", action="store_true",
                   help="do not keep the previous copy of a StatLine table that cannot be fetched now")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("info", help="describe the cache")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("trend", help="an indicator of one area over all data years in the cache")
    p.add_argument("--area", required=True, help="gemeente, wijk or buurt code, priority-area id, parkstad or limburg")
    p.add_argument("--indicator", required=True, help="an id from data/indicators.csv")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_trend)
    p = sub.add_parser("areas", help="list the priority areas")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_areas)
    p = sub.add_parser("initiatives", help="validate, import and export initiatives")
    ini = p.add_subparsers(dest="action", required=True)
    q = ini.add_parser("validate", help="check a CSV or XLSX file; writes nothing")
    q.add_argument("file")
    q.set_defaults(func=cmd_initiatives_validate)
    q = ini.add_parser("import", help="validate, then import all rows or none")
    q.add_argument("file")
    q.set_defaults(func=cmd_initiatives_import)
    q = ini.add_parser("export", help="export every initiative in the database")
    q.add_argument("--format", choices=["csv", "geojson", "xlsx"], required=True)
    q.add_argument("-o", "--output", help="file to write (default: standard output)")
    q.set_defaults(func=cmd_initiatives_export)
    p = sub.add_parser("staff", help="named staff accounts: add NAME (or a new password), remove NAME, list")
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("name", nargs="?", help="account name, e.g. j.jansen (the password is asked, or read from stdin)")
    p.set_defaults(func=cmd_staff)
    p = sub.add_parser("staff-password", help="print a password hash that lets staff edit initiatives")
    p.set_defaults(func=cmd_staff_password)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import sqlalchemy as sa

    from geo.data.cache import CacheMissing
    from geo.data.domain import DefinitionError
    from geo.data.pdok import SourceError
    from geo.data.region import RegionError
    from geo.initiatives.files import FileProblem

    try:
        return args.func(args)
    except (SourceError, CacheMissing, DefinitionError, RegionError, FileProblem, FileNotFoundError) as exc:
        _print_err(f"error: {exc}")
        return 1
    except OSError as exc:  # a full or read-only disk, a folder that cannot be written: one line, nothing changed
        where = f" ({exc.filename})" if exc.filename else ""
        _print_err(f"error: cannot write{where}: {exc.strerror or exc} [errno {exc.errno}]; nothing was changed")
        return 1
    except sa.exc.OperationalError as exc:  # the database refused the write (disk full, read-only file)
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        _print_err(f"error: the database cannot be written: {reason}; nothing was changed")
        return 1
    except KeyboardInterrupt:
        _print_err("interrupted; the cache is unchanged")
        return 130
