"""Parkstad & Limburg area dashboard: `streamlit run app.py`."""

import time
from collections import deque

import streamlit as st

from app_pages.common import (
    copy_link_button,
    current_lang,
    ensure_data,
    ensure_map_assets,
    language_switcher,
    page_chrome,
    run_page,
    tr,
)
from geo.config import REPO_ROOT
from geo.visits import allow_run

# a local icon file: a ":material:" page icon would make every browser fetch it from Google's font host
st.set_page_config(page_title="Parkstad & Limburg", page_icon=str(REPO_ROOT / "static" / "favicon.png"), layout="wide")
if not allow_run(st.session_state.setdefault("_runs", deque()), time.monotonic()):
    st.warning(tr("too_many_runs"))  # a flood of reruns from one session stops here, before any work
    st.stop()
current_lang()

navigation = st.navigation([
    st.Page("app_pages/explorer.py", title=tr("nav_map"), icon=":material/map:", url_path="", default=True),
    st.Page("app_pages/monitor.py", title=tr("nav_monitor"), icon=":material/monitoring:", url_path="monitor"),
    st.Page("app_pages/vergelijk.py", title=tr("nav_compare"), icon=":material/compare_arrows:",
            url_path="vergelijk"),
    st.Page("app_pages/buurt.py", title=tr("nav_buurt"), icon=":material/home_pin:", url_path="buurt"),
    st.Page("app_pages/initiatieven.py", title=tr("nav_initiatives"), icon=":material/volunteer_activism:",
            url_path="initiatieven"),
    st.Page("app_pages/gebieden.py", title=tr("nav_areas"), icon=":material/location_city:", url_path="gebieden"),
    st.Page("app_pages/over.py", title=tr("nav_about"), icon=":material/info:", url_path="over"),
    st.Page("app_pages/toegankelijkheid.py", title=tr("nav_accessibility"), icon=":material/accessibility_new:",
            url_path="toegankelijkheid"),
])
page_chrome(navigation.title)  # its own title, the document's language, named map frames, readable captions
language_switcher()
copy_link_button()  # every view is in its URL: one click to share it
ensure_map_assets()
ensure_data()
run_page(navigation)
