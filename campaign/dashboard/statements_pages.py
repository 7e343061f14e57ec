from campaign.dashboard.views import bp  # noqa: F401
