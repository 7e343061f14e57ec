"""Every model, imported in one place so Alembic and the app see the whole schema."""
from campaign.abuse.models import HiddenBatch, HiddenBatchMember, RefusedAttempts  # noqa: F401
from campaign.events.models import (  # noqa: F401
    Appeal, Event, EventTranslation, Registration, Speaker, TicketType,
)
from campaign.home.models import SiteSettings  # noqa: F401
from campaign.mail.models import OutboxMessage  # noqa: F401
from campaign.organizers.models import Organizer  # noqa: F401
from campaign.audit.models import AuditEntry  # noqa: F401
from campaign.signatures.models import Signature, SignatureCountShard  # noqa: F401
from campaign.statements.models import (  # noqa: F401
    Campaign, Demand, Statement, StatementRevision, StatementTranslation,
    StatementTranslationRevision,
)
