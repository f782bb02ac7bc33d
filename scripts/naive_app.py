"""The few lines a user would write for the same map, for scripts/bench.py to measure beside the dashboard.

    NAIVE_LAYER=path/to/buurten.geojson NAIVE_COLUMN=bijstand_pct_kwartaal streamlit run scripts/naive_app.py

geopandas reads the layer (scripts/bench.py writes the dashboard's 449 buurten with all their figures as GeoJSON, as
PDOK's full layer has them), `folium.Choropleth` colours it by one figure and `st_folium` shows it, as in
streamlit-folium's own examples: no simplification, every property in the GeoJSON, Streamlit's default settings.
A bench fixture, not part of the dashboard.
"""

import os

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium


@st.cache_data
def load(path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


st.title("Buurten")
buurten = load(os.environ["NAIVE_LAYER"])
column = os.environ["NAIVE_COLUMN"]
fmap = folium.Map(location=[50.88, 5.98], zoom_start=11)
folium.Choropleth(geo_data=buurten, data=buurten, columns=["buurtcode", column],
                  key_on="feature.properties.buurtcode", fill_color="YlGnBu", legend_name=column).add_to(fmap)
st_folium(fmap, width=900, height=560)
