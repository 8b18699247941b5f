"""The HTML door: pages and htmx fragments, thin routes over the domain services."""
