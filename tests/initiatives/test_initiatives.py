"""Initiatives: schema, placement, storage (SQLite and PostgreSQL), files, CLI, filters, staff sign-in."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime

import openpyxl
import pytest
import shapely
from shapely.geometry import Point

from geo.config import DEFINITIONS_DIR, REPO_ROOT
from geo.data import domain
from geo.initiatives import filters as filt
from geo.initiatives.auth import StaffConfig, hash_password, needs_rehash, staff_config, verify_password
from geo.initiatives.files import MAX_ROWS, MAX_UPLOAD_BYTES, FileProblem, export, read_rows, to_csv, to_xlsx
from geo.initiatives.placement import Placer
from geo.initiatives.schema import Initiative, Reference, check_rows
from geo.initiatives.store import Actor, Store
from tests import hostile_files
from tests.conftest import env_with

STAFF = Actor("test:staff")
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> `${alert(3)}` \\'


def seed_rows() -> list[dict]:
    with open(DEFINITIONS_DIR / "initiatives.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def valid(**changes) -> dict:
    row = {"initiative_id": "test-1", "name": "Buurtkamer", "programme": "Test", "area_id": "",
           "gemeentecodes": "GM0928", "buurtcodes": "", "theme_ids": "ontmoeting", "partners": "A; B",
           "budget_eur": "1000", "status": "running", "status_as_of": "2025", "start_year": "2024",
           "end_year": "", "description_nl": "x", "source_url": "https://example.org/a"}
    return {**row, **changes}


@pytest.fixture(scope="module")
def reference(area_data) -> Reference:
    return Reference.from_data(area_data)


# --- schema and row checks -------------------------------------------------------------------


def test_all_seed_initiatives_are_valid(reference):
    checked = check_rows(seed_rows(), reference)
    assert checked.ok, [str(p) for p in checked.problems]
    assert len(checked.initiatives) == 41


@pytest.mark.parametrize(
    ("change", "words"),
    [({"initiative_id": "Bad Id"}, "initiative_id"), ({"theme_ids": "wonen spaceflight"}, "spaceflight"),
     ({"theme_ids": ""}, "theme_ids"), ({"source_url": "javascript:alert(1)"}, "http(s)"),
     ({"budget_eur": "-5"}, "budget_eur"), ({"budget_eur": "veel"}, "budget_eur"),
     ({"status": "busy"}, "status"), ({"start_year": "2026", "end_year": "2020"}, "before start_year"),
     ({"lat": "50.9"}, "both lat and lon"), ({"lat": "52.37", "lon": "4.89"}, "outside the region (Parkstad"),
     ({"budget_eur": "inf"}, "finite amount"), ({"budget_eur": "1e400"}, "finite amount"),
     ({"budget_eur": "nan"}, "finite amount"), ({"budget_eur": "-inf"}, "finite amount"),
     ({"budget_eur": "99999999999999999999999"}, "plausible maximum of EUR 10 billion"),
     ({"budget_eur": "-5"}, "cannot be negative"), ({"name": "Buurt\x1bkamer"}, "control character U+001B"),
     ({"partners": "a" * 301}, "at most 100 partners"), ({"lat": "nan", "lon": "6.0"}, "finite number"),
     ({"area_id": "atlantis"}, "unknown priority area"), ({"gemeentecodes": "0928"}, "municipality code"),
     ({"gemeentecodes": "GM9999"}, "not in the boundary data"), ({"buurtcodes": "BU09289999"}, "not in the boundary")],
)
def test_problems_are_named_with_row_and_id(reference, change, words):
    checked = check_rows([valid(), valid(**{"initiative_id": "test-2", **change})], reference)
    assert [p.row for p in checked.problems] == [3] * len(checked.problems) and checked.problems
    assert any(words in p.message for p in checked.problems), [p.message for p in checked.problems]
    assert "row 3 (" in str(checked.problems[0])
    assert [i.initiative_id for i in checked.initiatives] == ["test-1"]


def test_duplicate_ids_in_one_file(reference):
    checked = check_rows([valid(), valid()], reference)
    assert [(p.row, p.message) for p in checked.problems] == [(3, "duplicate initiative_id (also row 2)")]


def test_buurt_and_area_imply_their_municipality():
    item = Initiative.model_validate(valid(gemeentecodes="", buurtcodes="BU09280105", area_id="kerkrade-oost"))
    assert item.gemeentecodes == ["GM0928"]


def test_hostile_text_is_kept_as_given(reference):
    checked = check_rows([valid(name=HOSTILE, description_nl=HOSTILE, partners="=cmd|' /C calc'!A0")], reference)
    assert checked.ok
    assert checked.initiatives[0].name == HOSTILE
    assert checked.initiatives[0].partners == ["=cmd|' /C calc'!A0"]


# --- placement -------------------------------------------------------------------------------


def test_placement_rules(area_data):
    placer = Placer(area_data)
    layers = area_data.layers

    def inside(placement, geometry) -> bool:
        return geometry.buffer(1e-9).contains(Point(placement.lon, placement.lat))

    own = placer.place(Initiative.model_validate(valid(lat="50.87", lon="6.07")))
    assert (own.basis, own.lat, own.lon) == ("coordinates", 50.87, 6.07)
    buurt = placer.place(Initiative.model_validate(valid(buurtcodes="BU09280105")))
    bleijerheide = layers["buurten"].set_index("buurtcode").geometry["BU09280105"]
    assert buurt.basis == "buurt" and inside(buurt, bleijerheide)
    two = placer.place(Initiative.model_validate(valid(buurtcodes="BU09280102 BU09280105")))
    union = shapely.union_all(layers["buurten"].set_index("buurtcode").geometry[["BU09280102", "BU09280105"]])
    assert two.basis == "buurt" and inside(two, union)
    area = placer.place(Initiative.model_validate(valid(area_id="donderberg", gemeentecodes="GM0957")))
    donderberg = shapely.union_all(layers["buurten"].set_index("buurtcode").geometry[
        domain.priority_areas()["donderberg"].buurtcodes])
    assert area.basis == "area" and inside(area, donderberg)
    gemeente = placer.place(Initiative.model_validate(valid(gemeentecodes="GM0965")))
    simpelveld = layers["gemeenten"].set_index("gemeentecode").geometry["GM0965"]
    assert gemeente.basis == "gemeente" and inside(gemeente, simpelveld)
    region = placer.place(Initiative.model_validate(valid(gemeentecodes="GM0917 GM0928 GM0882")))
    assert region.basis == "region" and not region.pinned


# --- storage ---------------------------------------------------------------------------------


def test_store_seeds_once_and_reads_back(database_url):
    store = Store(database_url)
    assert store.count() == 41
    assert Store(database_url).count() == 41  # a second start does not seed again
    record = store.get("rolduckerveld")
    assert record.initiative.budget_eur == 110_000_000 and record.initiative.theme_ids == ["wonen"]
    assert record.created_at.tzinfo is not None and record.updated_by == "seed:initiatives.csv"


def test_upsert_archive_and_timestamps(database_url):
    store = Store(database_url, seed_file=None)
    item = Initiative.model_validate(valid(name=HOSTILE))
    assert store.upsert([item], STAFF) == (1, 0)
    first = store.get("test-1")
    assert first.initiative.name == HOSTILE  # stored as given
    changed = item.model_copy(update={"name": "Buurtkamer 2"})
    assert store.upsert([changed], Actor("test:other")) == (0, 1)
    second = store.get("test-1")
    assert second.initiative.name == "Buurtkamer 2" and second.updated_by == "test:other"
    assert second.created_at == first.created_at and second.updated_at >= first.updated_at
    version = store.version()
    assert store.set_archived("test-1", True, STAFF)
    assert store.all() == [] and len(store.all(include_archived=True)) == 1
    assert store.version() != version
    assert not store.set_archived("nope", True, STAFF)


def test_writes_need_an_actor(database_url):
    store = Store(database_url, seed_file=None)
    with pytest.raises(PermissionError):
        store.upsert([Initiative.model_validate(valid())], None)
    with pytest.raises(PermissionError):
        store.set_archived("test-1", True, "resident")
    assert store.count(include_archived=True) == 0


def test_upsert_is_all_or_nothing(database_url):
    store = Store(database_url, seed_file=None)
    good = Initiative.model_validate(valid())
    broken = Initiative.model_construct(**{**good.model_dump(), "initiative_id": "test-2", "status": None})
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        store.upsert([good, broken], STAFF)
    assert store.count(include_archived=True) == 0


# --- files -----------------------------------------------------------------------------------


def roundtrip_items(reference) -> list[Initiative]:
    items = check_rows(seed_rows(), reference).initiatives
    items.append(Initiative.model_validate(valid(name="=HYPERLINK(\"http://evil\")", description_nl=HOSTILE,
                                                 partners="+SUM(A1); @cmd; -1", lat="50.87", lon="6.07")))
    return items


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_round_trip(reference, fmt):
    items = roundtrip_items(reference)
    content = to_csv(items) if fmt == "csv" else to_xlsx(items)
    checked = check_rows(read_rows(content, f"export.{fmt}"), reference)
    assert checked.ok, [str(p) for p in checked.problems]
    assert [i.model_dump() for i in checked.initiatives] == [i.model_dump() for i in items]


def test_exports_neutralise_formulas(reference):
    items = roundtrip_items(reference)
    rows = list(csv.DictReader(io.StringIO(to_csv(items).decode("utf-8-sig"))))
    hostile = rows[-1]
    assert hostile["name"].startswith("'=") and hostile["partners"].startswith("'+")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(items))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=sheet.max_row, column=header.index("name") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_geojson_export_places_points(reference, area_data):
    items = roundtrip_items(reference)
    collection = json.loads(export(items, "geojson", Placer(area_data)))
    assert len(collection["features"]) == len(items)
    limburg = area_data.layers["provincie"].geometry.iloc[0]
    for feature in collection["features"]:
        if feature["properties"]["placement"] == "region":
            assert feature["geometry"] is None
        else:
            assert limburg.contains(shapely.geometry.shape(feature["geometry"]))
    bases = {f["properties"]["placement"] for f in collection["features"]}
    assert {"buurt", "area", "gemeente", "region", "coordinates"} <= bases


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [(b"x" * (MAX_UPLOAD_BYTES + 1), "big.csv", "limit"), (b"a,b\n1,2\n", "data.txt", ".csv or .xlsx"),
     ("initiative_id;name\nx;é".encode("latin-1"), "latin1.csv", "not UTF-8"),
     (b"initiative_id,name\nx,y\n", "few.csv", "missing column"), (b"initiative_id,name\n", "empty.csv", "no data"),
     (b"PK\x03\x04 not really", "fake.xlsx", "cannot be read"),
     (b"initiative_id,name\n" + b"a" * 200_000, "long.csv", "field larger than field limit")],  # found by fuzzing
)
def test_bad_files_are_refused_clearly(content, name, words):
    with pytest.raises(FileProblem, match=words):
        read_rows(content, name)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return hostile_files.zip_bomb(300)


def test_zip_bomb_is_refused_before_parsing(bomb):
    """1 MB packed, 300 MB of sheet XML: refused from the zip directory, nothing is unpacked."""
    assert len(bomb) < MAX_UPLOAD_BYTES
    with pytest.raises(FileProblem, match="unpacks to 300 MB; the limit is 50 MB"):
        read_rows(bomb, "bomb.xlsx")


@pytest.mark.parametrize(("make", "words"), [
    (lambda: hostile_files.zip_bomb(30), "compressed 3\\d\\d times in xl/worksheets/sheet1.xml"),
    (lambda: hostile_files.many_members(5000), "5009 parts"),
    (lambda: hostile_files.workbook(MAX_ROWS + 1), f"more than {MAX_ROWS} rows"),
])
def test_other_hostile_workbooks_are_refused(make, words):
    with pytest.raises(FileProblem, match=words):
        read_rows(make(), "hostile.xlsx")


def test_cli_validate_refuses_a_zip_bomb(bomb, tmp_path, data_dir):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    result = run_geo("initiatives", "validate", str(path))
    assert result.returncode == 1 and "unpacks to 300 MB" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_exports_are_valid_whatever_is_stored(database_url, reference, area_data):
    """A budget of inf written before such numbers were refused: every export stays valid for its format."""
    import sqlalchemy as sa

    store = Store(database_url, seed_file=None)
    store.upsert([Initiative.model_validate(valid())], STAFF)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE initiatives SET budget_eur = :inf"), {"inf": float("inf")})
    items = store.all()
    assert items[0].budget_eur is None
    collection = json.loads(export(items, "geojson", Placer(area_data)),
                            parse_constant=lambda c: pytest.fail(f"GeoJSON has {c}"))
    assert collection["features"][0]["properties"]["budget_eur"] is None
    assert list(csv.DictReader(io.StringIO(to_csv(items).decode("utf-8-sig"))))[0]["budget_eur"] == ""
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(items))).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("budget_eur") + 1).value is None
    assert filt.summary(items).with_budget == 0  # and the totals on /initiatieven stay finite


def test_semicolon_csv_from_dutch_excel(reference):
    text = ";".join(valid()) + "\n" + ";".join(v.replace(";", ",") for v in valid().values()) + "\n"
    checked = check_rows(read_rows(text.encode("utf-8"), "nl.csv"), reference)
    assert checked.ok and checked.initiatives[0].partners == ["A, B"]


# --- command line ----------------------------------------------------------------------------


def run_geo(*args, **env):
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          env=env_with(**env), timeout=300)


def test_cli_validate_import_export(data_dir, tmp_path, reference):
    good = tmp_path / "good.csv"
    with open(good, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(valid()))
        writer.writeheader()
        writer.writerow(valid())
        writer.writerow(valid(initiative_id="test-2", name=HOSTILE))
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text().replace("GM0928", "GM9999", 1).replace("ontmoeting", "magic"))

    result = run_geo("initiatives", "validate", str(good))
    assert result.returncode == 0 and result.stdout == ""
    result = run_geo("initiatives", "validate", str(bad))
    assert result.returncode == 1
    assert "row 2 (test-1): theme_ids: unknown theme(s): magic" in result.stdout
    assert "row 2 (test-1): gemeentecodes not in the boundary data: GM9999" in result.stdout
    assert not (data_dir / "initiatives.sqlite").exists()  # validate writes nothing

    result = run_geo("initiatives", "import", str(bad))
    assert result.returncode == 1 and "nothing imported" in result.stderr
    assert Store().count() == 41  # all or nothing (the store seeds itself on first use)
    result = run_geo("initiatives", "import", str(good))
    assert result.returncode == 0 and "imported 2 new and 0 updated" in result.stdout
    assert Store().get("test-2").initiative.name == HOSTILE

    for fmt in ("csv", "xlsx", "geojson"):
        target = tmp_path / f"all.{fmt}"
        result = run_geo("initiatives", "export", "--format", fmt, "-o", str(target))
        assert result.returncode == 0, result.stderr
    assert len(read_rows((tmp_path / "all.csv").read_bytes(), "all.csv")) == 43
    assert len(read_rows((tmp_path / "all.xlsx").read_bytes(), "all.xlsx")) == 43
    assert len(json.loads((tmp_path / "all.geojson").read_text())["features"]) == 43
    stdout = run_geo("initiatives", "export", "--format", "csv").stdout
    assert stdout.count("\n") == 44


def test_cli_validate_missing_file(data_dir):
    result = run_geo("initiatives", "validate", "/nonexistent.csv")
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(reference) -> list[Initiative]:
    return check_rows(seed_rows(), reference).initiatives


def test_filters_from_the_url(seeded):
    options = filt.options_for(seeded)
    filters, notices = filt.parse_filters({"theme": ["wonen,zorg", "jeugd"], "status": "running,done",
                                           "area": "kerkrade-oost", "start": "2019-2030", "q": "Bleijerheide"},
                                          options)
    assert filters.themes == ("wonen", "zorg", "jeugd") and filters.statuses == ("running",)
    assert [(n.param, n.given) for n in notices] == [("status", "done")]
    assert filt.parse_filters(filters.params(), options)[0] == filters
    _, notices = filt.parse_filters({"start": "2030-2010", "gemeente": "GM9999"}, options)
    assert {n.param for n in notices} == {"start", "gemeente"}


def test_filter_semantics(seeded):
    housing = filt.apply(seeded, filt.Filters(themes=("wonen",)))
    assert housing and all("wonen" in i.theme_ids for i in housing)
    assert len(housing) == sum("wonen" in r["theme_ids"].split() for r in seed_rows())
    kerkrade = filt.apply(seeded, filt.Filters(area="kerkrade-oost"))
    assert {i.initiative_id for i in kerkrade} >= {"rolduckerveld", "superlocal-bleijerheide"}
    accents = filt.apply(seeded, filt.Filters(q="HEERLERHEIDE"))
    assert accents and all("heerlerheide" in filt.fold(i.name + i.description_nl + i.programme + " ".join(i.partners))
                           for i in accents)
    started = filt.apply(seeded, filt.Filters(start=(2023, 2024)))
    assert started and all(2023 <= i.start_year <= 2024 for i in started)
    assert filt.apply(seeded, filt.Filters(q="zzzz-nothing")) == []


def test_summary_and_per_municipality_budget_split(seeded):
    summary = filt.summary(seeded)
    assert summary.count == 41 and summary.with_budget == sum(bool(r["budget_eur"]) for r in seed_rows())
    shared = Initiative.model_validate(valid(gemeentecodes="GM0917 GM0928", budget_eur="1000"))
    table = filt.per_gemeente([shared]).set_index("gemeentecode")
    assert table.loc["GM0917", "budget_eur"] == 500 and table.loc["GM0928", "initiatives"] == 1


def test_need_vs_action_flags_high_need_low_action(area_data, seeded):
    table = filt.need_vs_action(area_data, seeded, "percentage_personen_65_jaar_en_ouder", domain.focus_codes())
    assert len(table) == 13
    flagged = table[table["high_need_low_action"]]
    assert (flagged["need"] > table["need"].median()).all()
    assert (flagged["initiatives"] < table["initiatives"].median()).all()


# --- staff sign-in ---------------------------------------------------------------------------


def test_new_hashes_use_current_scrypt_parameters_and_old_ones_still_verify():
    encoded = hash_password("correct horse battery")
    assert encoded.startswith("scrypt$131072$8$1$") and not needs_rehash(encoded)
    assert verify_password("correct horse battery", encoded) and not verify_password("wrong", encoded)
    old = hash_password("correct horse battery", n=2**14)  # what earlier versions wrote
    assert verify_password("correct horse battery", old) and needs_rehash(old)
    assert not verify_password("x", "scrypt$1073741824$8$1$00$00")  # absurd cost: refused, not attempted


def test_password_hashes():
    encoded = hash_password("correct horse battery", n=2**10)
    assert verify_password("correct horse battery", encoded)
    assert not verify_password("wrong", encoded)
    assert not verify_password("x", "md5$abc") and not verify_password("x", "garbage")
    assert encoded != hash_password("correct horse battery", n=2**10)  # salted


def test_staff_configuration_modes():
    assert staff_config({}, {}).mode == "off"
    encoded = hash_password("a-long-password", n=2**10)
    config = staff_config({}, {"PARKSTAD_STAFF_PASSWORD_HASH": encoded})
    assert config.mode == "password"
    assert config.actor_for_password("a-long-password") == Actor("staff-password")
    assert config.actor_for_password("nope") is None
    oidc = staff_config({"auth": {"redirect_uri": "x", "client_id": "id"}, "staff_emails": ["A@b.nl"]}, {})
    assert oidc.mode == "oidc"
    assert oidc.actor_for_oidc_user(True, "a@B.nl") == Actor("oidc:a@b.nl")
    assert oidc.actor_for_oidc_user(True, "other@b.nl") is None
    assert oidc.actor_for_oidc_user(False, "a@b.nl") is None
    assert StaffConfig("off").actor_for_password("anything") is None


def test_record_timestamps_are_utc(database_url):
    record = Store(database_url).records()[0]
    assert record.updated_at.utcoffset().total_seconds() == 0
    assert isinstance(record.created_at, datetime)


def test_each_programme_of_an_area_is_listed_once():
    by_area = {"kerkrade-oost": ["gebiedsgerichte aanpak  Provincie Limburg", "(B)OOST Kerkrade-Oost"]}
    assert filt.area_programmes("kerkrade-oost", "GM0928", by_area) == [
        "Gebiedsgerichte aanpak Provincie Limburg", "Regio Deal Parkstad Limburg", "(B)OOST Kerkrade-Oost"]
    assert filt.area_programmes("kerkrade-oost", "GM0928", by_area, with_groups=False) == [
        "Gebiedsgerichte aanpak Provincie Limburg", "(B)OOST Kerkrade-Oost"]


def test_programmes_per_area_come_from_the_initiatives(seeded):
    programmes = filt.programmes_by_area(seeded)
    assert "(B)OOST Kerkrade-Oost" in programmes["kerkrade-oost"]
    assert "Nationaal Programma Heerlen-Noord" in programmes["heerlen-noord"]
    assert all(area in domain.priority_areas() for area in programmes)
