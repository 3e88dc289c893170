"""Route modules, one per area, with their page templates beside them."""
