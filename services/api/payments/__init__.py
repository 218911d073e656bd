"""Payments and billing."""
