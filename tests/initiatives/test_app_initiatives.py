"""The initiatives page in AppTest: URL filters, residents cannot write, staff can, hostile text is escaped."""

from __future__ import annotations

import json
import re

import pytest

from geo.initiatives.auth import hash_password
from geo.initiatives.schema import Initiative
from geo.initiatives.store import Actor, Store
from tests.initiatives.test_initiatives import HOSTILE, valid
from tests.test_app import choropleth_features, component_script, legend_html, record_downloads, run, run_page

PASSWORD = "staff-password-for-tests"


@pytest.fixture
def app_env(data_dir, monkeypatch):
    monkeypatch.setenv("PDOK_API_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PARKSTAD_STAFF_PASSWORD_HASH", raising=False)
    return data_dir


def open_page(**params):
    return run_page("app_pages/initiatieven.py", **params)


def table(at):
    return at.dataframe[0].value


def test_theme_link_shows_only_housing(app_env):
    at = open_page(theme="wonen")
    rows = table(at)
    assert len(rows) == int(at.metric[0].value) == 12
    assert all("Wonen" in themes for themes in rows["Thema's"])
    assert at.multiselect[0].value == ["wonen"]


def test_combined_filters_and_unknown_values(app_env):
    at = open_page(area="kerkrade-oost", status="running,sleeping", q="bleijerheide")
    assert any("sleeping" in w.value for w in at.warning)
    rows = table(at)
    assert len(rows) >= 1 and all(s.startswith("loopt") for s in rows["Status"])
    assert at.query_params.get("area") == "kerkrade-oost"


def test_changing_a_filter_updates_the_url(app_env):
    at = open_page()
    everything = int(at.metric[0].value)
    at.multiselect[1].set_value(["completed"]).run()  # status
    assert at.query_params["status"] == "completed"
    assert 0 < int(at.metric[0].value) < everything


def sign_in(at, password: str, name: str | None = None):
    """Sign in under the page's staff heading (a name only for named accounts)."""
    if name is not None:
        at.text_input(key="staff_name").input(name)
    at.text_input(key="staff_password").input(password)
    next(b for b in at.button if b.label == "Aanmelden").click().run()
    return at


def test_residents_see_no_write_controls(app_env):
    at = open_page()
    assert not at.get("file_uploader") and not at.get("form") and not at.text_area
    assert any("Bewerken staat op deze website uit" in c.value for c in at.caption)
    shown = " ".join(e.value for e in [*at.caption, *at.markdown, *at.info, *at.warning])
    assert "secrets.toml" not in shown and "PARKSTAD_" not in shown  # how to set it up is for the administrator
    assert not [b for b in at.button if b.label in ("Opslaan", "Archiveren", "Importeren")]


def test_password_configured_but_not_signed_in(app_env, monkeypatch):
    monkeypatch.setenv("PARKSTAD_STAFF_PASSWORD_HASH", hash_password(PASSWORD, n=2**10))
    at = open_page()
    assert any("[Inloggen voor medewerkers ↓](#beheer)" in m.value for m in at.markdown)  # at the top
    sign_in(at, "wrong password")
    assert any("Onjuist wachtwoord" in e.value for e in at.error)
    assert not at.get("file_uploader") and not at.text_area  # still no edit form


def test_failed_sign_ins_are_remembered_across_sessions(app_env, monkeypatch):
    """A new browser session does not start fresh: failures are counted in the database."""
    from geo.initiatives import throttle

    monkeypatch.setattr(throttle, "FIRST_DELAY_SECONDS", 600)  # no test depends on how fast a page runs
    monkeypatch.setenv("PARKSTAD_STAFF_PASSWORD_HASH", hash_password(PASSWORD, n=2**10))
    for _ in range(throttle.FREE_FAILURES):
        at = open_page()  # a new session each time
        sign_in(at, "guess")
    assert [e.value for e in at.error] == ["Onjuist wachtwoord. Volgende poging over 600 s."]
    at = open_page()
    sign_in(at, PASSWORD)  # even the right password must wait now
    assert any("Te veel mislukte pogingen" in e.value for e in at.error)
    assert not at.get("file_uploader")


def test_staff_can_add_and_archive(app_env, monkeypatch):
    monkeypatch.setenv("PARKSTAD_STAFF_PASSWORD_HASH", hash_password(PASSWORD, n=2**10))
    at = open_page()
    sign_in(at, PASSWORD)
    assert any("Aangemeld als gedeeld medewerkerswachtwoord" in c.value for c in at.caption)
    assert at.get("file_uploader")
    inputs = {t.label: t for t in at.main.text_input}
    inputs["Kenmerk"].input("buurtkamer-holz")
    inputs["Naam"].input(HOSTILE)
    inputs["Programma"].input("(B)OOST Kerkrade-Oost")
    inputs["Status bekend per (jaar)"].input("2025")
    inputs["Bron (https://…)"].input("https://example.org/holz")
    form = {m.label: m for m in at.main.multiselect}
    form["Thema's"].set_value(["ontmoeting"])
    form["Buurten"].set_value(["BU09280103"])
    next(b for b in at.main.button if b.label == "Opslaan").click().run()
    assert any("Opgeslagen: buurtkamer-holz" in s.value for s in at.success), [e.value for e in at.error]
    record = Store().get("buurtkamer-holz")
    assert record.initiative.name == HOSTILE and record.initiative.gemeentecodes == ["GM0928"]
    assert record.updated_by == "staff-password"

    at.run()  # the list of initiatives to edit now holds the new one
    at.selectbox(key="form_choice").set_value("buurtkamer-holz").run()
    next(b for b in at.main.button if b.label == "Archiveren").click().run()
    assert Store().get("buurtkamer-holz").archived


def test_invalid_form_is_not_saved(app_env, monkeypatch):
    monkeypatch.setenv("PARKSTAD_STAFF_PASSWORD_HASH", hash_password(PASSWORD, n=2**10))
    at = open_page()
    sign_in(at, PASSWORD)
    inputs = {t.label: t for t in at.main.text_input}
    inputs["Kenmerk"].input("x-1")
    inputs["Naam"].input("X")
    inputs["Programma"].input("P")
    inputs["Status bekend per (jaar)"].input("2025")
    inputs["Bron (https://…)"].input("javascript:alert(1)")
    next(b for b in at.main.button if b.label == "Opslaan").click().run()
    assert any("Niet opgeslagen" in e.value for e in at.error)
    assert Store().get("x-1") is None


def test_hostile_initiative_is_escaped_on_maps(app_env):
    item = Initiative.model_validate(valid(initiative_id="hostile", name=HOSTILE, programme=HOSTILE,
                                           buurtcodes="BU09280105", theme_ids="wonen"))
    Store().upsert([item], Actor("test"))
    at = open_page(q="alert")
    assert table(at)["Naam"].tolist() == [HOSTILE]  # shown as the text it is
    script = json.loads(at.get("component_instance")[0].proto.json_args)["script"]
    assert "<script>alert" not in script and "<img src=x" not in script and "${alert" not in script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in script and "&#96;&#36;{alert(3)}&#96;" in script
    # the same on the explorer's initiative overlay
    at = run(level="buurt", area="kerkrade-oost", init="1")
    script = component_script(at)
    assert "<script>alert" not in script and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in script
    assert len(choropleth_features(at)) == 6


def test_area_cards_count_initiatives_as_their_link_does(app_env):
    at = run("app_pages/gebieden.py")
    text = " ".join(m.value for m in at.markdown)
    # Kerkrade-Oost: 5 initiatives name the area, a sixth works in its buurten; the card said 5, its link showed 6
    for area in ("kerkrade-oost", "heerlen-noord"):
        listed = int(open_page(area=area).metric[0].value)
        assert f"**Initiatieven:** {listed} · [Bekijk de initiatieven →](./initiatieven?area={area}&" in text, area
    assert "**Initiatieven:** 6 · [Bekijk de initiatieven →](./initiatieven?area=kerkrade-oost&" in text


def test_municipal_choropleth_has_a_legend(app_env):
    at = open_page(theme="wonen")
    legend = legend_html(at)
    assert "Legenda" in legend and "aantal initiatieven" in legend
    counts = [int(n) for n in re.findall(r'<td class="n">(\d+)</td>', legend)]
    assert sum(counts) == 13  # every municipality on the map is in one class


def test_named_staff_accounts_record_who_changed_what(app_env):
    from geo.initiatives.accounts import Accounts

    Accounts(Store()).set_password("j.jansen", hash_password(PASSWORD, n=2**10))
    at = sign_in(open_page(), "not-the-password", name="j.jansen")
    assert [e.value for e in at.error] == ["Naam of wachtwoord onjuist."]
    at = sign_in(open_page(), PASSWORD, name="nobody")  # an unknown name reads the same
    assert [e.value for e in at.error] == ["Naam of wachtwoord onjuist."]
    at = sign_in(open_page(), PASSWORD, name="J.Jansen ")
    assert any("Aangemeld als j.jansen" in c.value for c in at.caption)
    at.selectbox(key="form_choice").set_value("superlocal-bleijerheide").run()
    inputs = {t.label: t for t in at.main.text_input}
    inputs["Toelichting op het budget"].input("Regio Deal-bijdrage")
    next(b for b in at.main.button if b.label == "Opslaan").click().run()
    assert Store().get("superlocal-bleijerheide").updated_by == "staff:j.jansen"
    at.run()
    assert any("Laatst gewijzigd door j.jansen op" in c.value for c in at.caption)


def test_the_form_speaks_the_pages_language(app_env, monkeypatch):
    monkeypatch.setenv("PARKSTAD_STAFF_PASSWORD_HASH", hash_password(PASSWORD, n=2**10))
    at = run_page("app_pages/initiatieven.py", lang="de")
    at.text_input(key="staff_password").input(PASSWORD)
    next(b for b in at.button if b.label == "Anmelden").click().run()
    labels = [t.label for t in at.main.text_input]
    assert "Kennung" in labels and "Erläuterung zum Budget" in labels and "Startjahr" in labels
    assert not {"initiative_id", "budget_note", "status_as_of", "start_year", "end_year"} & set(labels)


def test_exports_say_what_was_filtered_and_name_statuses_and_themes(app_env, monkeypatch):
    import csv
    import io
    from datetime import date

    sent = record_downloads(monkeypatch)  # what the page hands the browser to download, by file name
    open_page(theme="wonen", area="heerlen-noord", lang="en")
    day = date.today().isoformat()
    assert {f"initiatieven-wonen-heerlen-noord-{day}.{fmt}" for fmt in ("csv", "xlsx", "geojson")} <= set(sent)
    rows = list(csv.DictReader(io.StringIO(sent[f"initiatieven-wonen-heerlen-noord-{day}.csv"].decode("utf-8-sig"))))
    assert rows and all("Housing" in row["theme_labels"].split("; ") for row in rows)
    assert {row["status_label"] for row in rows} <= {"planned", "running", "completed"}
    assert all(row["status"] in ("planned", "running", "completed") for row in rows)  # ids stay for re-import
