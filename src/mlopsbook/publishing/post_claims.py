"""A post's declared claims, read from its notebook's frontmatter, and the verdict shown under the claim it judges.

:mod:`mlopsbook.publishing.claims` holds the model (claims, verdicts, their records); this module reads the post.
"""

from __future__ import annotations

from dataclasses import replace

from mlopsbook.paths import notebooks_dir
from mlopsbook.posts import claims_of
from mlopsbook.publishing.claims import Claim, Verdict


def declared(slug: str) -> dict[str, Claim]:
    """The claims the post ``notebooks/<slug>.md`` declares in its frontmatter, by id."""
    return {c.id: c for c in claims_of(notebooks_dir() / f"{slug}.md")}


def show(slug: str, verdict: Verdict) -> Verdict:
    """Attach the post's declared claim to ``verdict`` (so the block quotes the post) and return it for display.

    Raises ``KeyError`` naming the post when the claim id is not declared in its frontmatter.
    """
    decl = declared(slug)
    if verdict.claim_id not in decl:
        raise KeyError(f"notebooks/{slug}.md declares no claim {verdict.claim_id} (declared: {', '.join(decl)})")
    return replace(verdict, claim=decl[verdict.claim_id])
