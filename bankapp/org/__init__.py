"""Sites, departments and grades of the merged trust."""
