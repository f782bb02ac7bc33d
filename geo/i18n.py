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


# Interpreted anywhere: emphasis, links, HTML, code, maths, entities, Streamlit's :colour[...] and :icon:.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>()#!|~$&:])")
# Interpreted at the start of a text: lists, headings, quotes, and a number before "." or ")".
_LINE_START = re.compile(r"^([-+=>]|\d+(?=[.)]))")


def literal(value) -> str:
    """Text for Markdown that shows exactly as given: characters Markdown (and Streamlit's directives) would
    interpret are backslash-escaped, as CommonMark allows for any punctuation; line breaks become spaces.
    For values from the URL, uploads and data in notices, captions and headings, so that `__proto__` or `<b>`
    is never bold, a link or markup."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
    match = _LINE_START.match(text)
    if match is None:
        return text
    cut = match.end() if text[:1].isdigit() else 0  # "1. x" -> "1\. x", "- x" -> "\- x"
    return text[:cut] + "\\" + text[cut:]


_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in " ()<>[]\\\"'`"}


def link_target(url: str) -> str:
    """A URL as the target of a Markdown link: characters that would end or change the link percent-encoded."""
    return "".join(_URL_UNSAFE.get(c, c) for c in str(url).strip())
