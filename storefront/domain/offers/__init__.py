"""Promotions: the kinds and how they apply, their usage limits, and how staff edit them."""
