"""Fault tests: real processes under database outages, killed loads, load and hostile input."""
