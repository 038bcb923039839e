"""Doctor profiles and compliance documents."""
