"""Users, roles, API tokens, login pages and permission helpers."""
