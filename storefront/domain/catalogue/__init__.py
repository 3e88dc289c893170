"""The catalogue: what shoppers browse and search, the kept pages, and how staff edit and import it."""
