"""Shipping: methods, zones and rates; quotes of cost and delivery dates; how staff edit them."""
