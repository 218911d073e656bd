"""Stripe: the SDK wrapper and the local stand-in launcher."""
