"""Build the directory of the Coopératives d'activités et d'emploi.

Stages, in the order data flows through them:

    load      strict YAML with positions                  (load.py)
    validate  schema + rules, French errors               (schema.py, validate.py)
    enrich    gazetteer, vocabularies, derived fields     (gazetteer.py, vocabularies.py, enrich.py)
    generate  pages, JSON, exports, maps (plain Python)   (generate/)
    build     thin MkDocs layer, search index, swap       (build.py, mkdocs_hooks.py)
"""
