"""The book machinery: what turns posts, notebooks and snapshots into the published book.

Modules: :mod:`claims` (a post's claims and their verdict cards: a leaf model), :mod:`post_claims` (a post's declared claims
and the verdict shown under one), :mod:`snapshots` (the executed notebooks committed beside the sources),
:mod:`sphinxext` (the Sphinx extension: verdict cards, glue and MIME renderers), :mod:`sphinx_reading` (reading the
built site), :mod:`readerrun` (the steps a reader runs, timed), :mod:`authortext` (the author's words kept apart from
the project's) and :mod:`runtime_budget` (the memory and time a build may use).
"""
