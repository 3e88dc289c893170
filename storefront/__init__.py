"""Storefront: a server-rendered shop for small and medium merchants."""
