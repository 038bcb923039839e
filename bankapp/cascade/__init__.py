"""Agencies, cascade requests, agency offers and cap approvals."""
