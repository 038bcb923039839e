"""Leadership reports: breaches, fill rates, spend; pages with charts, CSV and the weekly digest."""
