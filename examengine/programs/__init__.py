"""Credential programs: schemes, eligibility applications, authorizations to test, seat bookings, accommodation
requests, credentials for life, the public registry, score reports, incidents and appeals (API.md "Credential
programs")."""
