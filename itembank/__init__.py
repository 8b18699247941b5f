"""The item bank's pure domain core: content model, scoring, import/export formats, candidate rendering.

Nothing here touches a database, HTTP or Starlette.
"""
