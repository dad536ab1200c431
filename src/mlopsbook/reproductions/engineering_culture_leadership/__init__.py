"""The reproduction of "Engineering culture & leadership" (``notebooks/engineering-culture-leadership.md``).

One module per companion page (``notebooks/engineering-culture-leadership/<page>.md``) plus the post's own evidence:

- :mod:`.profile`: the post's NLP services as measured (the dated record in ``data/inference/``), loaded on first use;
- :mod:`.costs`: C7 (Lambda the cheapest fit); :mod:`.autoscaling`: the simulated bursts and node loss, C3 and C4;
- :mod:`.cpu_inference`: C5, C6, C9; :mod:`.decision`: the post's profile, the contrasting profiles, C8;
- :mod:`.medusa`: C11; :mod:`.hiring`: C10; :mod:`.engine`: C1 and C2 from the real Ray engine.

Importing any of them reads nothing: recorded measurements load when a function first needs them.
"""

SLUG = "engineering-culture-leadership"
"""The post's slug: its notebook ``notebooks/<SLUG>.md`` and the key of its claims in the ledger."""
