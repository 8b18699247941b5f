"""The item bank: the content model, scoring, import/export formats, candidate rendering and the stored items.

Pure (no database, HTTP or Starlette): `content`, `scoring` with `qti/` (the response-processing interpreter),
`formats/`, `rendering`, `presentation`, `cleaning` and `html/` (candidate form controls, whose markup is the Jinja
macros in templates/items/). Over the database (the session as a keyword, never a commit; examengine's domain
errors): `authoring` (items, versions, preview), `workflow` (the review transitions), `search` (the item list and
its text index), `importing`, `exporting` and `media`.
"""
