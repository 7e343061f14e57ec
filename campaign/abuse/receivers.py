"""What the abuse review counts from other floors' signals."""
from campaign.abuse.service import record_refusal
from campaign.common.limits import attempt_refused


@attempt_refused.connect
def _count_refused_signing(_app, kind: str, slug: str) -> None:
    if kind == "statement":
        record_refusal(slug)
