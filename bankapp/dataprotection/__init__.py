"""Data protection: a person's copy of their data; anonymising departed doctors."""
