"""Outside services, each behind one module."""
