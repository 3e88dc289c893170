"""Staff: accounts and passwords, revocable sessions, and the audit log of their changes."""
