"""Server-rendered pages, one module per audience: ``public`` (the measure's page), ``applicant``
(apply, follow, download), ``staff`` (queues, decisions, dashboard), ``precheck_applicant``
(slots, booking, the owner's booking page) and ``precheck_staff`` (slot publishing, arrival,
findings, the one-time notice, amendments). ``common`` holds what they share; ``permits/urls.py``
lists every URL."""
