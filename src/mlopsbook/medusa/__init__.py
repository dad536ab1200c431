"""AI Medusa: an offline, deterministic deployment assistant grounded in the book.

:mod:`corpus` (the book's sections as passages with their URLs), :mod:`retrieve` (BM25, rank-bm25),
:mod:`quantities` (sizes, durations, rates, parameter counts and money as engineers write them), :mod:`extract`
(the profile fields and preferences a question states, each with its words), :mod:`assume` (the values assumed for
the rest, and which of them the answer rests on), :mod:`conditions` (readings the reader had to assume, and an answer
that holds under each), :mod:`answer` (recommendation, limits, reasons, cost, sources),
:mod:`dialogue` (the terminal conversation) and :mod:`evaluate` (accuracy on the question sets of ``data/medusa/``).
No language model: every answer is a reading of the question plus the decision engine and retrieval.
"""
