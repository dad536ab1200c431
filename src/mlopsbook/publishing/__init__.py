"""The book machinery: what turns posts, notebooks and snapshots into the published book.

Modules: :mod:`claims` (a post's claims and their verdicts: a leaf model), :mod:`post_claims` (a post's declared
claims and the verdict shown under one), :mod:`snapshots` (the executed notebooks committed beside the sources),
:mod:`execution` (what a notebook's run used, hashed: its execution record and key), :mod:`bookcache` (the book
reuses each execution while its key matches the tree, executes the rest),
:mod:`sphinxext` (the Sphinx extension: verdict cards, the claims ledger, post listings, launch links),
:mod:`sphinx_reading` (claims at a glance and alt text on a post page), :mod:`readerrun` (a notebook run as a Binder
reader runs it, its memory sampled), :mod:`nbval_reader` (strict nbval's run measured as a reader's run), :mod:`authortext` (the author's words kept apart from the project's) and
:mod:`runtime_budget` (the memory a notebook is given and the Ray configuration that fits).
"""
