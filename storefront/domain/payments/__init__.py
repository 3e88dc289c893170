"""Payments: attempts, captures and refunds, and the providers behind one interface."""
