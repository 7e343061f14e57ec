"""Every model, imported in one place so Alembic and the app see the whole schema."""
from campaign.api.models import ApiKey  # noqa: F401
from campaign.abuse.models import HiddenBatch, HiddenBatchMember, RefusedAttempts  # noqa: F401
from campaign.endorsements.models import Endorsement  # noqa: F401
from campaign.events.models import (  # noqa: F401
    Appeal, Event, EventTranslation, Registration, Speaker, TicketType,
)
from campaign.home.models import SiteSettings  # noqa: F401
from campaign.mail.models import OutboxMessage  # noqa: F401
from campaign.organizers.models import Organizer  # noqa: F401
from campaign.payments.models import Payment, Refund  # noqa: F401
from campaign.audit.models import AuditEntry  # noqa: F401
from campaign.signatures.models import Signature, SignatureCountShard  # noqa: F401
from campaign.statements.models import (  # noqa: F401
    Campaign, Demand, Statement, StatementRevision, StatementTranslation,
    StatementTranslationRevision,
)
from campaign.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
from campaign.news.models import Post  # noqa: F401
from campaign.supporters.models import Supporter  # noqa: F401
from campaign.updates.models import Update, UpdateRecipient  # noqa: F401
from campaign.signatures.models import Milestone, SignatureStatShard  # noqa: F401
from campaign.stats.models import StatisticsSettings, TrackedLink  # noqa: F401
