"""Updates by email to supporters, signatories and registrants; event reminders."""
