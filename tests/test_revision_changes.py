"""A reader of a signed statement sees, word by word, what each amendment changed."""
import html as html_text
import re

from campaign.statements.changes import CONTEXT_WORDS, Words, word_changes
from campaign.statements.service import (
    add_demand, delete_demand, edit_demand, update_statement,
)


def _shown(response) -> str:
    """The page as text, with each insertion and deletion marked as a screen reader says it."""
    page = response.get_data(as_text=True)
    page = page[page.index("<main"):]
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_words_added_and_removed_are_told_apart_from_those_kept():
    assert word_changes("Send aid to Ukraine now.", "Send military aid to Ukraine at once.") == [
        Words("Send"), Words(" "), Words("military", added=True), Words(" aid to Ukraine"),
        Words(" "), Words("now", removed=True), Words(" "), Words("at once", added=True),
        Words("."),
    ]


def test_punctuation_is_a_word_of_its_own_so_a_comma_added_is_only_a_comma():
    runs = word_changes("A free and united Ukraine", "A free, united and democratic Ukraine")
    new_text = "".join(run.text for run in runs if not run.removed)
    assert " ".join(new_text.split()) == "A free, united and democratic Ukraine"
    assert [run.text for run in runs if run.added] == [", united", "democratic"]
    assert [run.text for run in runs if run.removed] == ["united"]


def test_a_long_stretch_of_unchanged_words_is_cut_around_the_change():
    before = " ".join(f"w{n}" for n in range(100))
    after = before.replace("w50", "changed")
    runs = word_changes(before, after)
    assert [run.text for run in runs if run.added or run.removed] == ["w50", "changed"]
    assert runs[0].text.startswith("… ") and len(runs[0].text.split()) == CONTEXT_WORDS + 1
    assert runs[-1].text.endswith(" …") and len(runs[-1].text.split()) == CONTEXT_WORDS + 1


def test_the_revisions_page_shows_what_each_amendment_changed_word_by_word(
    client, make_statement, make_signature
):
    statement = make_statement(
        title="A free and united Ukraine", preamble="We stand with Ukraine.",
        demands=(("Aid", "Send aid now."), ("Peace", "A just peace."), ("Justice", "Try them.")),
        closing="Add your name.")
    make_signature(statement)
    update_statement(statement, title="A free, united and democratic Ukraine")
    aid, peace, justice = statement.demands
    edit_demand(peace, "Peace", "A just and lasting peace.")
    delete_demand(aid)
    update_statement(statement, closing="Add your name today.")

    page = client.get(f"/s/{statement.slug}/revisions")
    shown = _shown(page)
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    versions = [shown.index(f"Version {number}, replaced on") for number in (4, 3, 2, 1)]
    assert versions == sorted(versions), "newest first"
    assert ("What changed in the current text Closing text Add your name added: today "
            "(end of addition) . The whole text of version 4") in shown
    assert ("What changed in version 2 Title A free added: , united (end of addition) and "
            "removed: united (end of removal) added: democratic (end of addition) Ukraine "
            "The whole text of version 1") in shown
    assert ("What changed in version 3 Demand 2 Peace A just added: and lasting (end of "
            "addition) peace.") in shown
    assert ("What changed in version 4 Demand 1 of the earlier version, taken out removed: Aid "
            "(end of removal) removed: Send aid now. (end of removal) The whole text") in shown
    taken_out = shown[shown.index("What changed in version 4"):]
    assert "Justice" not in taken_out[:taken_out.index("The whole text")], (
        "a demand that only moved up when the one before it was taken out is not changed")
    assert '<ins><span class="visually-hidden">added: </span>' in html
    assert '<del><span class="visually-hidden">removed: </span>' in html
    assert 'href="/static/css/revisions.css"' in html


def test_a_new_demand_in_the_middle_shows_as_new_not_as_every_later_one_changed(
    client, make_statement, make_signature
):
    statement = make_statement(demands=(("Aid", "Send aid now."), ("Peace", "A just peace.")))
    make_signature(statement)
    add_demand(statement, "Justice", "Try the war crimes.")

    shown = _shown(client.get(f"/s/{statement.slug}/revisions"))

    assert "Demand 3, new added: Justice (end of addition) added: Try the war crimes." in shown
    assert "Demand 1 " not in shown and "Demand 2 " not in shown
