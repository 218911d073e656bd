"""Scheduling: visit types, availability, slot search, bookings, reminders."""
