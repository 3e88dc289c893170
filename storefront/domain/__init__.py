"""The business, in its own words. Imports the stdlib, tortoise and its siblings only."""
