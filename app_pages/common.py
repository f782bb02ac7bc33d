"""Streamlit glue shared by the pages: language, cached data, first-run sync, notices, links."""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from geo.data import cache
from geo.data.area_data import AreaData
from geo.data.layers import LAYERS
from geo.data.pdok import SourceError
from geo.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    chart_locale,
    framework_texts,
    literal,
    number,
    t,
    without_paths,
)
from geo.maps import line_styles


def current_lang() -> str:
    """Language from ?lang=, else the session's choice, else Dutch; kept in the URL."""
    requested = st.query_params.get("lang")
    if requested in LANGUAGES:
        st.session_state["lang"] = requested
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


# Captions: Streamlit draws them at 60 % opacity (#828180 on white, 3.9:1, below WCAG's 4.5:1); this grey is 8.4:1.
# Print: A4 without the sidebar, the header and the controls; a grid that shows only the rows in view gives its place
# to the whole table printed after it (geo.maps.print_table); tables, charts and maps are not cut between sheets.
PAGE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  color: #4d4d4d !important; opacity: 1 !important;
}
.print-only { display: none; }
@media print {
  @page { size: A4; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], .no-print,
  [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stTextInput"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stFormSubmitButton"] {
    display: none !important;
  }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { max-width: none !important; padding: 0 !important; }
  [data-testid="stElementContainer"]:has(+ [data-testid="stElementContainer"] .print-only) { display: none !important; }
  table.print-only { display: table !important; }
  .print-table { border-collapse: collapse; width: 100%; font-size: 8pt; }
  .print-table caption { text-align: left; font-weight: 600; padding-bottom: 2pt; }
  .print-table th, .print-table td { border-bottom: 0.5pt solid #999; padding: 1pt 3pt; text-align: left; }
  .print-table .n { text-align: right; }
  .print-table thead { display: table-header-group; }
  tr, [data-testid="stVegaLiteChart"], iframe, .legend { break-inside: avoid; }
  [data-testid="stTable"] table { table-layout: fixed; width: 100%; font-size: 8pt; }
  [data-testid="stTable"] th, [data-testid="stTable"] td { overflow-wrap: anywhere; padding: 2pt 3pt; }
}
</style>"""

# The document's language (Streamlit always writes lang="en"), a name for every map frame (streamlit-folium's is
# "streamlit_folium.st_folium") and Streamlit's own English button names and skip link in the page's language
# (data/framework_texts.yaml); elements added later get the same. No data reaches this script: only the language
# code and texts from data/, all JSON-encoded.
PAGE_SCRIPT = """<script>
(function (lang, mapTitle, texts) {
  const doc = window.parent ? window.parent.document : document;
  doc.documentElement.lang = lang;
  const prefixes = Object.keys(texts).filter(key => key.endsWith(" "));
  const swap = value => {
    if (Object.prototype.hasOwnProperty.call(texts, value)) return texts[value];
    const prefix = prefixes.find(p => value.startsWith(p));
    return prefix ? texts[prefix] + value.slice(prefix.length) : null;
  };
  const tidy = () => {
    doc.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')
      .forEach(frame => frame.setAttribute("title", mapTitle));
    if (!Object.keys(texts).length) return;  // English: Streamlit's own words
    doc.querySelectorAll("[aria-label], [title]").forEach(element => {
      for (const name of ["aria-label", "title"]) {
        const value = element.getAttribute(name), text = value && swap(value);
        if (text && text !== value) element.setAttribute(name, text);
      }
    });
    doc.querySelectorAll('[data-testid="stSkipToContent"]').forEach(link => {
      const text = swap(link.textContent);
      if (text) link.textContent = text;
    });
  };
  tidy();
  if (window.__parkstadTidy) window.__parkstadTidy.disconnect();
  window.__parkstadTidy = new MutationObserver(tidy);
  window.__parkstadTidy.observe(doc.body, {childList: true, subtree: true});
})(%s, %s, %s);
</script>"""


def page_chrome(page_title: str) -> None:
    """What every page gets besides its content: a title of its own ("Kaartverkenner · Parkstad & Limburg"),
    the document's language, named map frames and readable captions (WCAG 2.4.2, 3.1.1, 4.1.2, 1.4.3)."""

    from geo.data.region import current as current_region

    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    st.set_page_config(page_title=f"{page_title} · {current_region().name.get(lang)}")
    st.html(PAGE_CSS + PAGE_SCRIPT % (script_value(lang), script_value(tr("map_frame_title")),
                                      script_value(framework_texts(lang))), unsafe_allow_javascript=True)


# Chart texts: Streamlit's theme draws axis, legend and facet labels in #808495 (3.7:1 on white, below WCAG's 4.5:1);
# the captions' grey is 8.4:1.
CHART_TEXT = "#4d4d4d"
# a value axis: at most two decimals (one year's lone value was labelled 5,718534)
VALUE_AXIS_FORMAT = ",.2~f"


def altair_chart(chart, **options) -> None:
    """A chart in the page's language (numbers and months on its axes and in its tooltips as in the tables), its
    texts in a grey that reads (WCAG 1.4.3)."""
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    chart = (chart.configure(locale=chart_locale(lang))
             .configure_axis(labelColor=CHART_TEXT, titleColor=CHART_TEXT)
             .configure_legend(labelColor=CHART_TEXT, titleColor=CHART_TEXT)
             .configure_header(labelColor=CHART_TEXT, titleColor=CHART_TEXT)
             .configure_title(color=CHART_TEXT))
    st.altair_chart(chart, **options)


COPY_LINK = """<div class="copy-link">
<button type="button" id="copy-link-button">%s</button>
<span id="copy-link-status" role="status" aria-live="polite"></span>
</div>
<style>
.copy-link button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #8a8a8a; border-radius: 0.5rem;
  background: #ffffff; color: #1f1f1f; cursor: pointer; }
.copy-link button:hover { border-color: #1f4e8c; color: #1f4e8c; }
.copy-link button:focus-visible { outline: 3px solid #1f4e8c; outline-offset: 2px; }
.copy-link span { margin-left: 0.5rem; color: #1f1f1f; }
@media print { .copy-link { display: none; } }
</style>
<script>
(function (copied, failed) {
  const doc = window.parent ? window.parent.document : document;
  const button = doc.getElementById("copy-link-button"), status = doc.getElementById("copy-link-status");
  if (!button || button.dataset.ready) return;
  button.dataset.ready = "1";
  button.addEventListener("click", async () => {
    const url = (window.parent || window).location.href;  // the current view: every choice is in the URL
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = copied;
    } catch (error) {
      status.textContent = failed + " " + url;
    }
  });
})(%s, %s);
</script>"""


def script_value(value) -> str:
    """A value for a script in the page: JSON that cannot end the script element."""
    import json

    return json.dumps(value).replace("</", "<\\/")


def copy_link_button() -> None:
    """A "Kopieer link" button in the sidebar that copies the current view's URL (the view is all in the URL)."""
    import html

    st.sidebar.html(COPY_LINK % (html.escape(tr("copy_link")), script_value(tr("copy_link_done")),
                                 script_value(tr("copy_link_failed"))), unsafe_allow_javascript=True)


def tr(key: str, **values) -> str:
    return t(key, st.session_state.get("lang", DEFAULT_LANGUAGE), **values)


def translator(lang: str):
    """Text in one language, bound now: widgets may call their format_func after the run."""
    return partial(t, lang=lang)


def _set_lang() -> None:
    st.session_state["lang"] = st.session_state["lang_select"]
    st.query_params["lang"] = st.session_state["lang_select"]


def language_switcher() -> None:
    st.session_state["lang_select"] = st.session_state.get("lang", DEFAULT_LANGUAGE)
    st.sidebar.selectbox(
        tr("language"), LANGUAGES, key="lang_select", format_func=LANGUAGE_NAMES.get, on_change=_set_lang,
    )


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(directory: str, generation: str) -> AreaData:
    return AreaData.load()


def data() -> AreaData:
    """The cached AreaData; reloaded automatically after a new sync (new generation)."""
    manifest = cache.read_manifest()
    return _load(str(cache.manifest_path().parent), manifest["generation"])


def data_key(area_data: AreaData | None = None) -> str:
    """What identifies the loaded cache in the key of everything computed from it and shared between sessions:
    its folder and generation (a copy of a cache keeps its generation's name)."""
    area_data = area_data or data()
    return f"{area_data.directory or cache.manifest_path().parent}|{area_data.manifest['generation']}"


def ensure_data() -> AreaData:
    """Load the cache; on a fresh install sync from PDOK first, with a progress bar."""
    try:
        return data()
    except cache.CacheMissing:
        pass
    from geo.data.sources import open_source
    from geo.data.sync import sync

    steps = sum(len(layer.municipalities()) or 1 for layer in LAYERS.values())
    placeholder = st.empty()
    try:
        with placeholder.container():
            st.title(tr("sync_title"))
            source = open_source("pdok")
            st.write(tr("sync_running", source=source.location))
            bar = st.progress(0.0)
            done = [0]

            def progress(message: str) -> None:
                done[0] += 1
                bar.progress(min(done[0] / steps, 1.0), text=message)

            sync(source, progress=progress)
        placeholder.empty()
        return data()
    except (SourceError, cache.CacheMissing) as exc:
        offline_help(str(exc))
        st.stop()


def offline_help(reason: str) -> None:
    import logging

    logging.getLogger("parkstad").warning("no usable data: %s", reason)  # the full reason, for the operator
    st.error(tr("sync_failed_title"))
    st.write(tr("sync_failed", reason=without_paths(reason, st.session_state.get("lang", DEFAULT_LANGUAGE))))
    st.write(tr("offline_help"))
    st.markdown(
        f"- {tr('offline_snapshot')}:\n\n  `python -m geo sync --source ../shared/pdok-snapshot`\n"
        f"- {tr('offline_gpkg')}:\n\n  `python -m geo sync --source wijkenbuurten_2024.gpkg`\n"
        f"- {tr('offline_mirror')}:\n\n  `PDOK_API_URL=https://mirror.example python -m geo sync`"
    )
    st.button(tr("retry"))


def show_notices(notices) -> None:
    for notice in notices:
        if notice.reason == "unknown":
            st.warning(tr("notice_unknown", given=literal(notice.given[:60]), param=literal(notice.param),
                          used=literal(notice.used)), icon="ℹ️")
        else:
            st.info(tr(notice.reason, given=literal(notice.given[:60]), used=literal(_label_of(notice.used))),
                    icon="ℹ️")


def _label_of(value: str) -> str:
    """An indicator id in a notice as its label in the page's language; other values as they are."""
    catalogue = data().catalogue
    return catalogue[value].label(st.session_state.get("lang", DEFAULT_LANGUAGE)) if value in catalogue else value


@st.cache_resource(show_spinner=False, max_entries=2)
def _placer(generation: str):
    from geo.initiatives.placement import Placer

    return Placer(data())


def placer():
    """Places initiatives on the map; built once per cache generation."""
    return _placer(data_key())


@st.cache_resource(show_spinner=False, max_entries=2)
def _area_summaries(generation: str):
    from geo.maps.areas import build_areas

    return build_areas(data())


def area_summaries():
    """The eight priority areas with geometry and figures, built once per cache generation."""
    return _area_summaries(data_key())


@st.cache_resource(show_spinner=False, max_entries=2)
def _area_outlines(generation: str) -> dict:
    from geo.maps.choropleth import area_outlines

    return area_outlines(data())


def priority_area_outlines() -> dict:
    return _area_outlines(data_key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _prepared_geometry(generation: str, level: str, area: str, year: int | None):
    from geo.maps.choropleth import prepare_geometry

    current = data()
    return prepare_geometry(current.for_year(year or current.year), level, area)


def prepared_geometry(level: str, area: str, year: int | None = None):
    """Map geometry of a level, scope and data year (default the latest), simplified once per cache generation
    and shared by all pages."""
    current = data()
    if year == current.year:
        year = None  # one cache entry for the latest year, however it is asked for
    return _prepared_geometry(data_key(current), level, area, year)


def source_label(manifest: dict) -> str:
    """Where the figures come from, in words a visitor may see: never a path on the server."""
    if manifest.get("source_kind") == "pdok" and str(manifest.get("source", "")).startswith("https://api.pdok.nl"):
        return tr("source_pdok")
    return tr("source_local")


def explorer_link(**params) -> str:
    """A relative link into the map explorer with the given view (plus the current language)."""
    query = {"lang": st.session_state.get("lang", DEFAULT_LANGUAGE), **params}
    return "./?" + urlencode(query)


def initiatives_link(filters) -> str:
    """A relative link to /initiatieven with these filters (geo.initiatives.filters.Filters), in the current
    language."""
    return "./initiatieven?" + urlencode({**filters.params(), "lang": st.session_state.get("lang", DEFAULT_LANGUAGE)})


def compare_link(*areas: str) -> str:
    """A relative link to the comparison of these areas with the region's first group (Parkstad) beside them
    (at most four, each once), in the current language."""
    from geo.data import domain

    chosen = [a for a in dict.fromkeys([*areas, *domain.group_ids()[:1]]) if a][:4]
    return "./vergelijk?" + urlencode({"areas": ",".join(chosen), "lang": st.session_state.get("lang",
                                                                                                DEFAULT_LANGUAGE)})


@st.cache_resource(show_spinner=False)
def ensure_map_assets() -> None:
    """Copy the map libraries from their installed packages into static/ once per server process."""
    from geo.config import REPO_ROOT
    from geo.maps.assets import install

    install(REPO_ROOT / "static")


def static_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static" if base else "/app/static"


@st.cache_resource(show_spinner=False, max_entries=128)
def _map_arguments(content: tuple, key: str, height: int, returned_objects: tuple, static: str, options: tuple,
                   _build) -> dict:
    from app_pages.map_component import component_arguments

    fmap, layers = _build()
    return component_arguments(fmap, key, height, list(returned_objects), layers, static, **dict(options))


def tolerate_malformed_component_values() -> None:
    """A component value that is not JSON is read as no value. A browser never sends one, but a crafted client
    can (issue 23.9): Streamlit parses widget values before the script runs and would answer that session's run,
    and every later one, with its own error page. There is no public hook for this, so the parser Streamlit's
    session state uses is wrapped (tests/test_hostile_client.py checks it against the pinned Streamlit). Done
    when this module is first imported: serve.py imports it before the server listens."""
    from streamlit.runtime.state import session_state

    parse = session_state.unpack_widget_state_value
    if getattr(parse, "tolerant", False):
        return

    def tolerant(widget_state):
        try:
            return parse(widget_state)
        except ValueError:  # json.JSONDecodeError
            logging.getLogger("parkstad.pages").warning("a component value that is not JSON was ignored")
            return None

    tolerant.tolerant = True
    session_state.unpack_widget_state_value = tolerant


tolerate_malformed_component_values()


def map_event(result, name: str):
    """One event of a map's answer (e.g. "last_active_drawing"), or None when the answer is not what
    streamlit-folium sends (a crafted value is valid JSON of another shape)."""
    return result.get(name) if isinstance(result, dict) else None


def show_map(build, content: tuple, key: str, height: int, returned_objects: list[str], **options):
    """A map through streamlit-folium, with its libraries served by the app itself (no CDN) and only the events
    asked for. `build()` returns the folium map and its swappable layers (feature groups, or None): they are
    rendered once per cache generation and `content` (everything the map shows depends on) and shared by all
    sessions (app_pages/map_component.py). Layers are swapped in place on a rerun, so the map keeps its zoom."""
    from app_pages.map_component import show

    content = (data_key(), *content)
    arguments = _map_arguments(content, key, height, tuple(returned_objects), static_url(),
                               tuple(sorted(options.items())), build)
    return show(arguments)


def attribution_caption() -> None:
    st.caption(literal(tr("attribution")))


@st.cache_data(show_spinner=False, max_entries=512)
def _comparison(generation: str, area: str, indicator_id: str, lang: str, area_label: str):
    from geo.maps.trend import comparison

    return comparison(data(), area, indicator_id, lang, area_label)


def trend_chart(area_data: AreaData, area: str, indicator_id: str, area_label: str) -> None:
    """The area, its municipality, Parkstad and Limburg over every data year, with year and source below."""
    import altair as alt

    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    indicator = area_data.catalogue[indicator_id]
    if len(area_data.years) < 2:
        st.caption(tr("trend_one_year", year=area_data.year))
        return
    frame = _comparison(data_key(area_data), area, indicator_id, lang, area_label)
    own = frame[frame["role"] == "area"]
    if own["value"].isna().all():
        st.caption(tr("trend_no_values"))
        return
    present = frame[frame["value"].notna()].assign(
        text=lambda f: [number(v, indicator.decimals, lang) for v in f["value"]])
    first, last = area_data.years[0], area_data.years[-1]
    order = list(dict.fromkeys(frame["series"]))
    lines = line_styles.for_roles(list(frame.drop_duplicates("series")["role"]))
    chart = alt.Chart(present).mark_line(point=True).encode(
        x=alt.X("year:Q", title=tr("trend_axis_year"), scale=alt.Scale(domain=[first, last]),
                axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=indicator.titled(lang), scale=alt.Scale(zero=False),
                axis=alt.Axis(format=VALUE_AXIS_FORMAT)),
        **line_encodings(order, lines, alt.Legend(orient="top", labelLimit=260, direction="horizontal")),
        detail="segment:N",
        tooltip=[alt.Tooltip("series:N", title=tr("col_name")), alt.Tooltip("year:Q", title=tr("year")),
                 alt.Tooltip("text:N", title=indicator.unit_in(lang) or indicator.label(lang)),
                 alt.Tooltip("source:N", title=tr("monitor_col_source"))],
    )
    st.markdown(f"**{literal(tr('trend_title'))}: {literal(indicator.label(lang))}, {first}–{last}**")
    altair_chart(chart.properties(height=240), width="stretch")
    with st.expander(tr("chart_as_table")):  # the chart's figures as text (WCAG 1.1.1)
        st.table(present.pivot_table(index="year", columns="series", values="text", aggfunc="first", sort=False)
                 .reindex(columns=[s for s in order if s in set(present["series"])]).fillna("–")
                 .rename_axis(index=tr("year"), columns=None))
    sources = list(dict.fromkeys(own.loc[own["value"].notna(), "source"]))
    if indicator.dataset != "cbs/85586NED" and len(sources) > 1:
        sources = [indicator.source(f"{first}–{last}", None, lang)]
    st.caption(tr("trend_caption", first=first, last=last, sources="; ".join(sources)))
    breaks = sorted(set(own.loc[own["break_before"], "year"]))
    if breaks:
        st.caption(tr("trend_breaks", years=", ".join(map(str, breaks))))
    if not area_data.has_national:
        st.caption(tr("trend_no_nl"))


def line_encodings(order: list[str], lines: list, legend) -> dict:
    """Colour, dash and point shape of each series of a line chart, in `order`, from geo.maps.line_styles (one
    legend: the colour's, which shows the shape too)."""
    import altair as alt

    legend.symbolStrokeWidth = 0  # filled shapes: a dash drawn round a small point only makes it look frayed
    return {
        "color": alt.Color("series:N", sort=order, title=None, legend=legend,
                           scale=alt.Scale(domain=order, range=[line.colour for line in lines])),
        "strokeDash": alt.StrokeDash("series:N", sort=order, title=None, legend=None,
                                     scale=alt.Scale(domain=order, range=[list(line.dash) for line in lines])),
        "shape": alt.Shape("series:N", sort=order, title=None, legend=None,
                           scale=alt.Scale(domain=order, range=[line.shape for line in lines])),
    }


# --- initiatives: store and staff sign-in ----------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str):
    from geo.initiatives.store import Store

    return Store(url)


def store():
    from geo.initiatives.store import database_url

    return _store(database_url())


@st.cache_data(show_spinner=False, max_entries=8)
def _initiatives(url: str, version: str):
    return _store(url).all()


def initiatives_version() -> str:
    """Changes whenever an initiative is written (part of the key of anything built from them)."""
    try:
        return store().version()
    except Exception:  # noqa: BLE001 - initiatives() says what is wrong; here it only keys a cache
        return "unavailable"


def initiatives():
    """Active (not archived) initiatives, re-read whenever the database changes. A damaged or unreadable
    database takes nothing else down: pages that only read initiatives get none, and say so once per run."""
    import logging

    import sqlalchemy as sa

    from geo.initiatives.store import StoreDamaged

    try:
        current = store()
        return _initiatives(current.url, current.version())
    except (StoreDamaged, sa.exc.SQLAlchemyError, OSError) as exc:
        logging.getLogger("parkstad.initiatives").error("initiatives unavailable: %s", exc)
        warned = st.session_state.setdefault("_warned_this_run", set())
        if "initiatives" not in warned:
            warned.add("initiatives")
            st.warning(tr("initiatives_unavailable"))
        return []


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: Streamlit raises when it is read  # noqa: BLE001
        return {}


def _staff_config():
    from geo.initiatives.accounts import Accounts
    from geo.initiatives.auth import staff_config

    try:
        named = Accounts(store()).any()
    except Exception:  # noqa: BLE001 - a damaged database: no named accounts (the page says it is unavailable)
        named = False
    return staff_config(_secrets(), accounts=named)


def staff_mode() -> str:
    return _staff_config().mode


def staff_actor():
    """The signed-in staff member as an Actor, or None. Shows the sign-in (a name and a password for named
    accounts, a password for the shared one, the OIDC button) where it is called, under the page's staff
    heading; once signed in, who is signed in and a sign-out button."""
    import math

    config = _staff_config()
    if config.mode == "off":
        return None
    if config.mode == "oidc":
        actor = config.actor_for_oidc_user(bool(getattr(st.user, "is_logged_in", False)), st.user.get("email"))
        if actor:
            st.caption(tr("staff_signed_in", name=actor.name.removeprefix("oidc:")))
            st.button(tr("staff_sign_out"), on_click=st.logout)
        else:
            st.button(tr("staff_sign_in"), on_click=st.login)
        return actor
    from geo.initiatives.store import Actor

    actor = st.session_state.get("staff_actor")
    actor = actor if isinstance(actor, Actor) else None
    if actor:
        st.caption(tr("staff_signed_in", name=staff_name(actor.name)))
        if st.button(tr("staff_sign_out"), key="staff_sign_out"):
            st.session_state.pop("staff_actor", None)
            st.rerun()
        return actor
    with st.form("staff_sign_in"):
        name = st.text_input(tr("staff_name"), key="staff_name", autocomplete="username") \
            if config.mode == "accounts" else None
        password = st.text_input(tr("staff_password"), type="password", key="staff_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(tr("staff_sign_in"))
    if submitted:
        try:
            throttle = _throttle(store().url, config.password_hash or "")
        except Exception:  # noqa: BLE001 - a damaged database: no sign-in, and say why
            st.error(tr("initiatives_unavailable"))
            return None
        if config.mode == "accounts":
            from geo.initiatives.accounts import Accounts

            result = config.sign_in_with_account(name, password, st.context.ip_address, throttle,
                                                 Accounts(store()).hash_of)
        else:
            result = config.sign_in_with_password(password, st.context.ip_address, throttle)
        if result.actor:
            st.session_state["staff_actor"] = result.actor
            st.rerun()
        wait = max(1, math.ceil(result.wait_seconds))
        if result.busy:
            st.error(tr("staff_busy"))
        elif not result.checked:
            st.error(tr("staff_locked", seconds=wait))
        elif result.wait_seconds > 0:
            st.error(tr("staff_wrong_wait", seconds=wait))
        else:
            st.error(tr("staff_wrong" if config.mode == "password" else "staff_wrong_account"))
    return None


def staff_name(actor_name: str) -> str:
    """Who made a change, as staff read it: "j.jansen" for staff:j.jansen, the shared password's account as words."""
    from geo.initiatives.auth import ACCOUNT_PREFIX, PASSWORD_ACCOUNT

    if actor_name == PASSWORD_ACCOUNT:
        return tr("staff_shared_account")
    return actor_name.removeprefix(ACCOUNT_PREFIX).removeprefix("oidc:")


@st.cache_resource(show_spinner=False)
def _throttle(url: str, password_hash: str):
    """The database's sign-in throttle; also says once in the server log when the hash is an old one."""
    import logging

    from geo.initiatives.auth import needs_rehash
    from geo.initiatives.throttle import Throttle

    if needs_rehash(password_hash):
        logging.getLogger("geo.auth").warning(
            "the staff password hash uses weaker scrypt parameters than today's; it still works, but make a new "
            "one with `python -m geo staff-password`")
    return Throttle(_store(url).engine)


# --- unexpected errors ----------------------------------------------------------------------------------


def run_page(navigation) -> None:
    """Run the chosen page; an unexpected error becomes a short apology in the page's language with a
    reference, and its detail (with the same reference) goes to the server log, never to the visitor.
    Streamlit's own stop and rerun signals are not exceptions and pass through untouched."""
    import logging
    import uuid

    st.session_state["_warned_this_run"] = set()  # notices said once per run (e.g. initiatives unavailable)
    try:
        navigation.run()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        logging.getLogger("parkstad.pages").exception("unexpected error, reference %s, page %s, query %s",
                                                      reference, getattr(navigation, "url_path", "?"),
                                                      dict(st.query_params))
        st.error(tr("error_apology", reference=reference), icon="⚠️")
