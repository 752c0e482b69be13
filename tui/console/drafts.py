"""Drafts between the sidebar and the composer: open one into the composer as saved, move an
emulator draft to today's emulator, and pick what signs a replay. The core does the saving,
signing and sending; this is only the console's side of it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.signing_context import SigningContext


def rebased(draft: Any, target: Any) -> Any:
    """A draft saved against the emulator points at that run's port: replay it on today's emulator."""
    if draft.venue.is_emulator and target.venue.is_emulator and draft.venue.base_url != target.venue.base_url:
        return replace(draft, venue=target.venue)
    return draft


def signing_for(app: Any, draft: Any) -> SigningContext:
    """The draft's own profile when the unlocked key file has it, else the console's current key, signing
    with the console's clock. The hosts come from the key, never from the file: an edited base URL is
    refused, not sent."""
    from tui.signing_context import SigningContext

    vault = getattr(app, "vault", None)
    clock = app.session.clock()
    if draft.profile and vault is not None and draft.profile in vault.profiles:
        return SigningContext.for_profile(vault.profiles[draft.profile], clock)
    return app.session.target.with_clock(clock)


async def open_draft(app: Any, draft: Any) -> None:
    """Put a draft into the composer as saved (Composer.load_draft keeps its auth level); when the
    unlocked key file has the draft's profile, sign with it (the venue follows the profile)."""
    await app.main_screen.composer.load_draft(draft)
    vault = getattr(app, "vault", None)
    target = app.session.target
    if draft.profile and vault is not None and draft.profile in vault.profiles and (target is None or target.profile != draft.profile):
        from tui.console.widgets.profile_select import sync_profile_select, use_choice

        use_choice(app, draft.profile)  # the venue follows the request's profile
        sync_profile_select(app, draft.profile)
