"""Events: launch meetings, speakers, tickets, the appeal, registration and check-in."""
