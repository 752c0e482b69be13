"""Drafts between the sidebar and the composer: open one into the composer as saved, move an
emulator draft to today's emulator, and say which profile signs it. The core does the saving,
signing and sending; this is only the console's side of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.signing_context import SigningContext


def rebased(draft: Any, target: Any) -> Any:
    """A draft saved against the emulator points at that run's port: replay it on today's emulator."""
    if draft.venue.is_emulator and target.venue.is_emulator and draft.venue.base_url != target.venue.base_url:
        return draft._replace(venue=target.venue)
    return draft


def signing_of(app: Any) -> SigningContext:
    """What signs a replay from the sidebar: the console's active key and clock, never a profile
    named in the file (switching the active profile is the user's choice, in the Profile selector).
    The hosts come from the key, never from the file: an edited base URL is refused, not sent."""
    return app.session.target.with_clock(app.session.clock())


def signer_note(draft: Any, target: Any) -> str:
    """A sentence when the draft was saved with another profile than the one that will sign it."""
    if draft.profile and draft.profile != target.profile:
        return (f" Signed with the active profile {target.profile}; it was saved with {draft.profile}"
                f" (pick {draft.profile} in the Profile selector to sign with that one).")
    return ""


async def open_draft(app: Any, draft: Any) -> None:
    """Put a draft into the composer as saved (Composer.load_draft keeps its auth level). The active
    profile stays: the draft is signed with it when sent."""
    await app.main_screen.composer.load_draft(draft)
