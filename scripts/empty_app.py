"""An empty Streamlit page (a heading), for scripts/bench.py: what any page costs before it does anything."""

import streamlit as st

st.title("Leeg")
