"""Outbox, Twilio sender, inbound webhook and alert fan-out."""
