"""The JSON door of ../shared/API.md: thin routes over the same services as the pages."""
