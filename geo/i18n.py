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
    spec = _locale(lang)
    return f"{value:,.{decimals}f}".replace(",", "\0").replace(".", spec["decimal"]).replace("\0", spec["thousands"])


@lru_cache(maxsize=2)
def locales(directory: Path = DEFINITIONS_DIR) -> dict[str, dict]:
    """Date and number conventions per language (data/locales.yaml)."""
    with open(directory / "locales.yaml", encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    missing = [lang for lang in LANGUAGES if lang not in table]
    if missing:
        raise ValueError(f"locales.yaml lacks {', '.join(missing)}")
    return table


def _locale(lang: str) -> dict:
    table = locales()
    return table.get(lang) or table[DEFAULT_LANGUAGE]


def date_text(value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date (or the date part of a datetime, or an ISO date string) as readers write it: "3 december 2026",
    "3 December 2026", "3. Dezember 2026". Anything else is returned as given."""
    from datetime import date, datetime

    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return "–" if value is None else str(value)
    spec = _locale(lang)
    return spec["date"].format(day=value.day, month=spec["months"][value.month - 1], year=value.year)


_PERIOD = re.compile(r"^(\d{4})MM(\d{2})$")


def period_text(period: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A CBS month code as text: 2024MM03 -> "maart 2024" (nl), "March 2024", "März 2024"; a year or anything
    else stays as it is."""
    match = _PERIOD.match(str(period or ""))
    if not match or not 1 <= int(match.group(2)) <= 12:
        return "" if period is None else str(period)
    return f"{_locale(lang)['months'][int(match.group(2)) - 1]} {match.group(1)}"


def chart_locale(lang: str = DEFAULT_LANGUAGE) -> dict:
    """The chart libraries' locale (Vega's d3-format and d3-time-format definitions) for `lang`: axes and
    tooltips then write numbers and months as the page's tables do."""
    spec = _locale(lang)
    return {
        "number": {"decimal": spec["decimal"], "thousands": spec["thousands"], "grouping": [3],
                   "currency": spec["currency"]},
        "time": {"dateTime": f"{spec['chart_date']} %H:%M", "date": spec["chart_date"], "time": "%H:%M:%S",
                 "periods": ["AM", "PM"], "days": spec["days"], "shortDays": spec["short_days"],
                 "months": spec["months"], "shortMonths": spec["short_months"]},
    }


@lru_cache(maxsize=2)
def _framework_texts(directory: Path = DEFINITIONS_DIR) -> dict[str, dict[str, str]]:
    with open(directory / "framework_texts.yaml", encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    for english, entry in table.items():
        missing = [lang for lang in LANGUAGES if lang != "en" and not (entry or {}).get(lang)]
        if missing:
            raise ValueError(f"framework_texts.yaml: {english!r} lacks {', '.join(missing)}")
    return table


def framework_texts(lang: str) -> dict[str, str]:
    """English texts Streamlit writes into every page -> the same in `lang` (nothing to do for English)."""
    return {} if lang == "en" else {english: entry[lang] for english, entry in _framework_texts().items()
                                    if lang in entry}


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
