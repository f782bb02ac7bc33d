"""Serving the app to many visitors: what serve.py (the production launcher) uses besides Streamlit itself, such
as a client that speaks Streamlit's websocket protocol like a browser tab (serve.py's warm-up visitor; the load
script and the protocol-level tests use it too). Not rules: those live in geo/."""
