"""SIGKILL crash test: `silta sync` killed at random moments, then clean runs."""
