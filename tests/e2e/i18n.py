"""The web app's own message dictionaries, read from frontend/src/i18n/{en,es}.ts.

The journeys find buttons and fields by what the page says in the language under test, so
they use the same words the app does instead of copies that could drift.
"""

from __future__ import annotations

import ast
import re
from functools import cache

from tests.signaling.support import ROOT

_ENTRY = re.compile(r"^  '(?P<key>[^']+)':\s*(?P<value>.*)$")


@cache
def messages(language: str) -> dict[str, str]:
    lines = (ROOT / "frontend" / "src" / "i18n" / f"{language}.ts").read_text(encoding="utf-8").splitlines()
    out: dict[str, str] = {}
    i = 0
    while i < len(lines):
        m = _ENTRY.match(lines[i])
        i += 1
        if not m:
            continue
        value = m.group("value").strip()
        if not value:  # the value is on the next line
            value = lines[i].strip()
            i += 1
        out[m.group("key")] = str(ast.literal_eval(value.rstrip(",")))
    return out


def t(language: str, key: str, **values: object) -> str:
    text = messages(language)[key]
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def say(language: str, english: str) -> str:
    """What the app says in `language` where it says `english` (looked up by the English text)."""
    if language == "en":
        return english
    en = messages("en")
    found = {messages(language)[k] for k, v in en.items() if v == english}
    if len(found) != 1:
        raise KeyError(f"{english!r} maps to {sorted(found) or 'nothing'} in {language}")
    return found.pop()


def prefix(language: str, key: str) -> str:
    """The fixed words of a message before its first placeholder."""
    return messages(language)[key].split("{", 1)[0].strip()
