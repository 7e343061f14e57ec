"""Encrypt email addresses, comments and mail at rest, and look addresses up by a blind index.

Signatures' and registrations' email (and signatures' comment), the outbox's recipient,
bodies and last error, and the address of a pending request for a confirmation link again
become AES-GCM ciphertext (campaign.common.crypto); the
`email_normalised` columns give way to `email_index`, a keyed hash of the normalised
address, which the unique constraints now hold; signatures keep their address's domain in
`email_domain` for the abuse review, and outbox messages their recipient's `to_index`.

The keys are read as the app reads them, since `flask db upgrade` starts the app:
DATA_KEY and INDEX_KEY from the environment (or `.env`), or for the embedded SQLite default
from instance/data_key and instance/index_key, generated on first start. Rows are rewritten
a batch at a time, in the migration's one transaction: it is done whole or not at all.
The downgrade decrypts everything back (retired keys still open what they encrypted).

On PostgreSQL the trigram search index loses its email part: ciphertext has no substrings
worth finding.

Revision ID: 721cacd77ab2
Revises: 2301297e2f89
Create Date: 2026-12-01 18:04:00.000000

"""
from alembic import op
import sqlalchemy as sa

from campaign.common.crypto import keyring
from campaign.common.emails import ascii_domain, normalise_email
from campaign.common.hashing import email_index


# revision identifiers, used by Alembic.
revision = '721cacd77ab2'
down_revision = '2301297e2f89'
branch_labels = None
depends_on = None

BATCH = 1000
SEARCH_INDEX = "ix_signatures_search_trgm"

signatures = sa.table(
    'signatures', sa.column('id', sa.Integer), sa.column('email', sa.Text),
    sa.column('email_normalised', sa.String), sa.column('email_index', sa.String),
    sa.column('email_domain', sa.String), sa.column('comment', sa.Text),
)
registrations = sa.table(
    'registrations', sa.column('id', sa.Integer), sa.column('email', sa.Text),
    sa.column('email_normalised', sa.String), sa.column('email_index', sa.String),
)
outbox_messages = sa.table(
    'outbox_messages', sa.column('id', sa.Integer), sa.column('to', sa.Text),
    sa.column('to_index', sa.String), sa.column('body_text', sa.Text),
    sa.column('body_html', sa.Text), sa.column('last_error', sa.Text),
)
signature_resend_requests = sa.table(
    'signature_resend_requests', sa.column('id', sa.Integer), sa.column('email', sa.Text),
)
#: The encrypted columns of each table (the column's purpose is "<table>.<column>").
ENCRYPTED = {
    signatures: ('email', 'comment'),
    registrations: ('email',),
    outbox_messages: ('to', 'body_text', 'body_html', 'last_error'),
    signature_resend_requests: ('email',),
}


def upgrade():
    _search_index(with_email=None)
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('email_domain', sa.String(length=255), nullable=True))
        batch_op.alter_column('email', existing_type=sa.String(length=320), type_=sa.Text(),
                              existing_nullable=True)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_index', sa.String(length=64), nullable=True))
        batch_op.alter_column('email', existing_type=sa.String(length=320), type_=sa.Text(),
                              existing_nullable=True)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_index', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.alter_column('to', existing_type=sa.String(length=320), type_=sa.Text(),
                              existing_nullable=False)
    with op.batch_alter_table('signature_resend_requests', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), type_=sa.Text(),
                              existing_nullable=False)

    _rewrite(signatures, lambda row: _sealed(signatures, row) | {
        'email_index': email_index(row.email_normalised) if row.email_normalised else None,
        'email_domain': ascii_domain(row.email_normalised) if row.email_normalised else None,
    })
    _rewrite(registrations, lambda row: _sealed(registrations, row) | {
        'email_index': email_index(row.email_normalised) if row.email_normalised else None,
    })
    _rewrite(outbox_messages, lambda row: _sealed(outbox_messages, row) | {
        'to_index': email_index(row.to),
    })
    _rewrite(signature_resend_requests, lambda row: _sealed(signature_resend_requests, row))

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint('uq_signatures_statement_id_email_normalised', type_='unique')
        batch_op.drop_column('email_normalised')
        batch_op.create_unique_constraint(
            batch_op.f('uq_signatures_statement_id_email_index'), ['statement_id', 'email_index'])
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_event_id_email_normalised', type_='unique')
        batch_op.drop_column('email_normalised')
        batch_op.create_unique_constraint(
            batch_op.f('uq_registrations_event_id_email_index'), ['event_id', 'email_index'])
    _search_index(with_email=False)


def downgrade():
    _search_index(with_email=None)
    for table in ('signatures', 'registrations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('email_normalised', sa.String(length=320), nullable=True))

    for table in ENCRYPTED:
        _rewrite(table, lambda row, table=table: _opened(table, row))

    with op.batch_alter_table('signature_resend_requests', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=320),
                              existing_nullable=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('to', existing_type=sa.Text(), type_=sa.String(length=320),
                              existing_nullable=False)
        batch_op.drop_column('to_index')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registrations_event_id_email_index', type_='unique')
        batch_op.drop_column('email_index')
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=320),
                              existing_nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f('uq_registrations_event_id_email_normalised'),
            ['event_id', 'email_normalised'])
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint('uq_signatures_statement_id_email_index', type_='unique')
        batch_op.drop_column('email_domain')
        batch_op.drop_column('email_index')
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=320),
                              existing_nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f('uq_signatures_statement_id_email_normalised'),
            ['statement_id', 'email_normalised'])
    _search_index(with_email=True)


def _rewrite(table, change) -> None:
    """UPDATE every row of `table` with the values `change(row)` gives, BATCH rows at a time."""
    connection = op.get_bind()
    update = table.update().where(table.c.id == sa.bindparam('row_id'))
    last_id = 0
    while rows := connection.execute(
        sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
    ).all():
        connection.execute(update, [change(row) | {'row_id': row.id} for row in rows])
        last_id = rows[-1].id


def _sealed(table, row) -> dict:
    """The row's encrypted columns, encrypted (an empty value stays empty)."""
    return {
        column: keyring().encrypt(value, f'{table.name}.{column}') if value else value
        for column in ENCRYPTED[table] for value in [getattr(row, column)]
    }


def _opened(table, row) -> dict:
    """The row's encrypted columns decrypted, and the normal form of its address again."""
    values = {
        column: keyring().decrypt(value, f'{table.name}.{column}') if value else value
        for column in ENCRYPTED[table] for value in [getattr(row, column)]
    }
    if 'email_normalised' in table.c:
        values['email_normalised'] = normalise_email(values['email']) if values['email'] else None
    return values


def _search_index(with_email: bool | None) -> None:
    """PostgreSQL's trigram index for the dashboard search: dropped (None), or made again."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    if with_email is None:
        op.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        return
    columns = ["lower(name) gin_trgm_ops", "lower(affiliation) gin_trgm_ops"]
    if with_email:
        columns.append("lower(email) gin_trgm_ops")
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON signatures USING gin ({', '.join(columns)})")
