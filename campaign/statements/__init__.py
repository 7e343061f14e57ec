"""Campaigns, statements, their numbered demands and their amendment history."""
