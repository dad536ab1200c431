"""Each post's reproduction, in its own wing: ``reproductions/<post_slug>/`` (the slug with ``-`` as ``_``).

A wing holds what belongs to one post and nothing else: its measured profile, its scenarios and experiments, and the
functions that compute the verdicts on its claims, one module per companion page. The library around it
(:mod:`mlopsbook.costs`, :mod:`mlopsbook.simulate`, :mod:`mlopsbook.nlp`, ...) knows no post and takes every
input as an argument; adding a post adds a wing and never edits the library.
"""
