"""A dashboard table's cells carry their column's translated header as the label a phone shows
("Label: value"); a header only for screen readers gives no label, an empty cell is marked so
the card leaves it out, and a cell across every column has no label."""
from flask import render_template_string
from flask_babel import force_locale

TABLE = """{% from "macros/tables.html" import scrolling_table %}{% call scrolling_table() %}
<thead><tr><th scope="col">{% trans %}Name{% endtrans %}</th><th scope="col">{% trans %}Email{% endtrans %}</th>
<th scope="col"><span class="visually-hidden">{% trans %}Actions{% endtrans %}</span></th></tr></thead>
<tbody>{% for name, email in people %}<tr><th scope="row">{{ name }}</th><td>{{ email }}</td>
<td><button>Hide</button></td></tr>{% endfor %}
<tr><td colspan="3">No one else.</td></tr></tbody>{% endcall %}"""


def test_each_cell_carries_its_columns_header_in_the_pages_language(app):
    people = [("Oksana <Holota>", "oksana@example.org"), ("Mick Whelan", "")]
    with app.test_request_context():
        english = render_template_string(TABLE, people=people)
    with app.test_request_context(), force_locale("uk"):
        ukrainian = render_template_string(TABLE, people=people)

    assert '<th scope="row" data-label="Name">Oksana &lt;Holota&gt;</th>' in english
    assert '<td data-label="Email">oksana@example.org</td>' in english
    assert '<td data-blank=""></td>' in english
    assert "<td><button>Hide</button></td>" in english
    assert '<td colspan="3">No one else.</td>' in english
    assert '<td data-label="Електронна пошта">oksana@example.org</td>' in ukrainian
