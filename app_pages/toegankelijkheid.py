"""Accessibility statement (`/toegankelijkheid`), in the form Dutch government sites use: standard, status,
how it was checked, known deviations with cause and plan, contact. Content: data/accessibility.yaml and the
region file's contact (geo.accessibility)."""

from __future__ import annotations

import streamlit as st

from app_pages.common import tr
from geo.accessibility import statement
from geo.data.region import current as current_region
from geo.i18n import date_text, link_target, literal

lang = st.session_state.get("lang", "nl")
facts = statement()
region = current_region()
site = region.name.get(lang)

st.title(tr("a11y_title"))
st.markdown(literal(tr("a11y_intro", site=site)))

st.header(tr("a11y_status_heading"))
st.markdown(f"**{literal(tr('a11y_standard'))}:** {literal(facts.standard)}  \n"
            f"**{literal(tr('a11y_status'))}:** {literal(tr('a11y_status_' + facts.status))}  \n"
            f"**{literal(tr('a11y_checked'))}:** {literal(date_text(facts.checked, lang))}")

st.header(tr("a11y_method_heading"))
st.markdown(literal(facts.method.get(lang)))

st.header(tr("a11y_deviations_heading"))
if not facts.deviations:
    st.markdown(literal(tr("a11y_no_deviations")))
for deviation in facts.deviations:
    st.subheader(tr("a11y_deviation_heading", criterion=deviation.criterion))
    st.markdown(f"{literal(deviation.what.get(lang))}  \n"
                f"**{literal(tr('a11y_cause'))}:** {literal(deviation.cause.get(lang))}  \n"
                f"**{literal(tr('a11y_plan'))}:** {literal(deviation.plan.get(lang))}")

st.header(tr("a11y_contact_heading"))
contact = region.accessibility_contact
if contact is None:
    st.markdown(literal(tr("a11y_contact_none")))
else:
    ways = [f"[{literal(contact.url.removeprefix('https://'))}]({link_target(contact.url)})" if contact.url else "",
            f"[{literal(contact.email)}]({link_target('mailto:' + contact.email)})" if contact.email else ""]
    st.markdown(literal(tr("a11y_contact", name=contact.name.get(lang))) + " "
                + " · ".join(w for w in ways if w))
