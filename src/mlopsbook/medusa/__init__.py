"""AI Medusa: an offline, deterministic deployment assistant grounded in the book.

:mod:`corpus` (the book's sections as passages with their URLs), :mod:`retrieve` (BM25, rank-bm25), :mod:`extract`
(profile fields stated in a question), :mod:`dialogue` (what to ask next; the terminal conversation), :mod:`answer`
(recommendation, reasons, cost and sources) and :mod:`evaluate` (accuracy on ``data/medusa/eval-questions.yaml``).
No language model: every answer is retrieval plus the decision engine.
"""
