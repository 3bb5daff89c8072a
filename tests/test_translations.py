"""Every word of ours goes through the translation machinery, and the Spanish
catalogue is complete.

The template check strips what a reader never sees (comments, template tags,
variables, markup and invisible attributes) and fails on any letter left
outside {% translate %} / {% blocktranslate %}. After adding text anywhere,
`make messages` updates locale/es and shows what to translate.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"

# Words that are the same in every language.
ALLOWED_WORDS = {"VaxFleet", "km"}  # the brand; a unit written the same in both languages
# The benchmark page is a fixed fixture of the TechEmpower "fortunes" test, never shown to people.
NOT_OURS = {"benchmarks/fortunes.html"}
# Attributes whose value a person sees or hears (screen readers, tooltips, our
# mobile table labels shown by CSS from data-label).
VISIBLE_ATTRIBUTES = {"title", "aria-label", "aria-description", "placeholder", "alt", "data-label"}
BUTTON_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"'](?:submit|button|reset)[\"']", re.IGNORECASE)


def _blank(match):
    """The match replaced by spaces, keeping its newlines so line numbers stay true."""
    return re.sub(r"[^\n]", " ", match.group(0))


def _visible_attributes(match):
    tag = match.group(0)
    kept = []
    for attribute in re.finditer(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')", tag):
        name, value = attribute.group(1).lower(), attribute.group(2)[1:-1]
        if name in VISIBLE_ATTRIBUTES or (name == "value" and BUTTON_INPUT.match(tag)):
            kept.append(value)
    return " ".join(kept).replace("\n", " ") + "\n" * tag.count("\n")


def untranslated_text(source: str, *, html: bool) -> list[tuple[int, str]]:
    """(line number, text) of what a reader would see that is not translated."""
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", _blank, source, flags=re.DOTALL)
    text = re.sub(r"\{#.*?#\}", _blank, text, flags=re.DOTALL)
    text = re.sub(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", _blank, text, flags=re.DOTALL)
    # A literal passed to an include (with title="Some words") is text too.
    literals = [
        (source.count("\n", 0, found.start()) + 1, found.group(1))
        for tag in re.finditer(r"\{%.*?%\}", text, flags=re.DOTALL)
        if not re.match(r"\{%\s*(?:translate|trans)\b", tag.group(0))
        for found in re.finditer(r"\w\s*=\s*\"([^\"]*[^\W\d_][^\"]* [^\"]*)\"", tag.group(0))
    ]
    text = re.sub(r"\{%.*?%\}", _blank, text, flags=re.DOTALL)
    text = re.sub(r"\{\{.*?\}\}", _blank, text, flags=re.DOTALL)
    if html:
        text = re.sub(r"<!--.*?-->", _blank, text, flags=re.DOTALL)
        text = re.sub(r"<(script|style)\b.*?</\1>", _blank, text, flags=re.DOTALL | re.IGNORECASE)
        text = re.sub(r"<[^>]*>", _visible_attributes, text, flags=re.DOTALL)
        text = re.sub(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);", " ", text)
    found = [
        (number, " ".join(line.split()))
        for number, line in enumerate(text.splitlines(), start=1)
        if set(re.findall(r"[^\W\d_]+", line)) - ALLOWED_WORDS
    ]
    return found + literals


def our_templates():
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.suffix in {".html", ".txt"} and name not in NOT_OURS:
            yield name, path


def test_every_template_puts_its_text_inside_translation_tags():
    problems = [
        f"templates/{name}:{number}: {text}"
        for name, path in our_templates()
        for number, text in untranslated_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
    ]

    assert problems == [], "text outside {% translate %}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "html", "expected"),
    [
        ("<p>Book now</p>", True, [(1, "Book now")]),
        ('<p>{% translate "Book now" %}</p>', True, []),
        ("<p>\n{% blocktranslate trimmed %}\nBook\n{% endblocktranslate %}\n</p>", True, []),
        ('<button aria-label="Close"></button>', True, [(1, "Close")]),
        ('<input type="submit" value="Save">', True, [(1, "Save")]),
        ('<input type="text" name="code" value="abc" class="form-control">', True, []),
        ("{% comment %}Not shown{% endcomment %}<!-- nor this --><a href='/x'>{{ name }}</a>", True, []),
        ('{% include "x.html" with title="Two words" %}', True, [(1, "Two words")]),
        ("Hello {{ name }},", False, [(1, "Hello ,")]),
        ("VaxFleet · 2026", True, []),
    ],
)
def test_the_template_check_sees_visible_text_only(source, html, expected):
    assert untranslated_text(source, html=html) == expected


def test_the_spanish_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(CATALOGUE))

    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert catalogue.percent_translated() == 100


def _entries(catalogue):
    return {
        (entry.msgctxt, entry.msgid): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        for entry in catalogue
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
    }


def test_the_committed_spanish_mo_is_compiled_from_the_po():
    """Django reads the .mo; an edit of the .po without `make messages` would not show."""
    assert _entries(polib.mofile(str(CATALOGUE.with_suffix(".mo")))) == _entries(polib.pofile(str(CATALOGUE))), (
        "locale/es/LC_MESSAGES/django.mo is out of date: run `make messages`"
    )
