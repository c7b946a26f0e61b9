"""Households ("Gia đình số"): learners link their household's accounts, by invitations they accept."""
