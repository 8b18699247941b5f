"""The structured blueprint editor: its fields to and from an exam definition, their labels, and saving a draft."""
