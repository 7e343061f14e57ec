"""The app exactly as production builds it, plus two bare endpoints that measure the ceiling.

Only the benchmark loads this module (`gunicorn ... 'bench_app:create_bench_app()'`); the real app never
has these endpoints. They run through the same stack (Flask, its extensions with CSRF,
the security headers, gunicorn, the same database and pool) and do nothing else:

  GET  /_bench/page    a small template carrying a CSRF token (the ceiling of a page)
  POST /_bench/insert  checks the CSRF token and inserts one row with SQLAlchemy
                       (the ceiling of a form that stores something)
"""
from flask import redirect, render_template, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from campaign import create_app
from campaign.common.time import utcnow
from campaign.extensions import db

#: Outside the app's metadata, so migrations and `db check` never see it.
bench_metadata = MetaData()
bench_rows = Table(
    "bench_rows", bench_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench</title></head>
<body><form method="post" action="/_bench/insert">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<label for="name">Name</label><input id="name" name="name">
<button type="submit">Send</button></form></body></html>"""


def create_bench_app():
    app = create_app()
    page = app.jinja_env.from_string(PAGE)

    @app.get("/_bench/page")
    def bench_page():
        return render_template(page)

    @app.post("/_bench/insert")
    def bench_insert():
        db.session.execute(
            insert(bench_rows).values(name=request.form.get("name", "")[:200], created_at=utcnow())
        )
        db.session.commit()
        return redirect("/_bench/page")

    return app
