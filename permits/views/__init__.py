"""Server-rendered pages: ``applicant`` (apply, follow, download), ``staff`` (queues, decisions,
dashboard) and ``precheck`` (slots, booking, findings, one-time notice)."""
