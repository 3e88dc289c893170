"""The cart and its pricing: the one function that computes every total."""
