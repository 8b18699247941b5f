"""Certificates for passing attempts: issued once a pass is visible to its candidate, verifiable by code."""
