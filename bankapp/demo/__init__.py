"""A merged trust's history, generated: the bench's year and the demo's quarter come from the same code.

``trust.py`` holds what is generated (``Trust``: reference data, people, the
card, and the rows built); ``year.py`` builds the shifts, bookings, rate
violations, agency offers, timesheets with pay lines, payroll batches and
breaches as plain rows. ``bench/generate.py`` fills a Trust with 2,800
generated doctors and loads it into PostgreSQL with COPY; ``quarter.py`` fills
one from the demo trust ``seed.py`` built through the services and inserts
the rows through SQLAlchemy, on SQLite or PostgreSQL.
"""
