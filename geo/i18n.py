"""Interface text in Dutch (default), English and German, from data/translations.yaml."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from geo.config import DEFINITIONS_DIR

LANGUAGES = ("nl", "en", "de")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "de": "Deutsch"}


@lru_cache(maxsize=2)
def translations(directory: Path = DEFINITIONS_DIR) -> dict[str, dict[str, str]]:
    with open(directory / "translations.yaml", encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    for key, entry in table.items():
        missing = [lang for lang in LANGUAGES if not entry.get(lang)]
        if missing:
            raise ValueError(f"translations.yaml: {key!r} lacks {', '.join(missing)}")
    return table


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The text for `key` in `lang` (falling back to Dutch), with {placeholders} filled in."""
    entry = translations().get(key)
    if entry is None:
        raise KeyError(f"no translation for {key!r}")
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def number(value: float | None, decimals: int = 0, lang: str = DEFAULT_LANGUAGE) -> str:
    """Numbers as readers expect them: 12.345,6 in Dutch and German, 12,345.6 in English."""
    if value is None or value != value:  # NaN
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang in ("nl", "de"):
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


_PATH = re.compile(r"(?:[A-Za-z]:\\|~?/)(?:[^\s:;,'\"()`]+[/\\])*[^\s:;,'\"()`]*")


def without_paths(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A message for visitors: file paths of the server (a cache folder, a snapshot, a GeoPackage) become
    "de lokale gegevens"; URLs stay as they are."""
    local = t("local_data", lang)
    out, last = [], 0
    for match in _PATH.finditer(text):
        start = match.start()
        if start and not (text[start - 1].isspace() or text[start - 1] in "('\"`"):
            continue  # inside a URL (https://host/path) or a relative path (../x): not a server path
        out.append(text[last:start] + local)
        last = match.end()
    out.append(text[last:])
    return "".join(out)
