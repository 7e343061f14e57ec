#!/bin/sh
# The catalogue workflow: extract every marked string (babel.cfg), bring each shipped
# language's messages.po up to date, then compile the .mo files the app reads.
#
#   scripts/translations.sh            extract, update every language, compile
#   scripts/translations.sh compile    compile only (after editing a .po by hand)
#   scripts/translations.sh init xx    start a new language xx (then add it to LANGUAGES)
#
# After an update, new or changed messages are empty or marked "fuzzy" in the .po:
# translate them, remove the fuzzy mark, run `scripts/translations.sh compile` and commit the
# .po and .mo together. tests/test_translations.py lists every message still untranslated.
set -eu
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
TEMPLATE=translations/messages.pot

extract() {
    "$PYBABEL" extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
        --project campaign --copyright-holder "the campaign site's authors" -o "$TEMPLATE" .
}

case "${1:-all}" in
    compile)
        "$PYBABEL" compile -d translations --statistics
        ;;
    init)
        extract
        "$PYBABEL" init -i "$TEMPLATE" -d translations -l "$2"
        ;;
    all)
        extract
        "$PYBABEL" update -i "$TEMPLATE" -d translations --no-wrap --ignore-obsolete --no-fuzzy-matching --ignore-pot-creation-date
        "$PYBABEL" compile -d translations --statistics
        ;;
    *)
        echo "usage: $0 [all|compile|init LANGUAGE]" >&2
        exit 2
        ;;
esac
