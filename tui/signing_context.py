"""Who signs: the one SigningContext every send and every export is signed with.

It carries the credentials, the clock they sign with, the hosts they may sign for, the venue they belong
to (named when a host is refused) and the header dialect. The CLI (tui/commands/_target.py), the console
(tui/console/target.py), replay and probe all build it with the constructors below, so a key's host
binding is worked out the same way wherever it is used; their own targets add only what they show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from keys.signing import Clock, Credentials, HeaderSet
from keys.venue_signer import VenueSigner
from tui.venues import Venue, get_venue, signing_hosts

if TYPE_CHECKING:
    from keys.profile import Profile
    from tui.exchange import Draft

from keys.environment import ENV_KEY, ENV_MEMO, ENV_SECRET, environment_credentials  # noqa: E402,F401 - re-exported


@dataclass(frozen=True)
class SigningContext:
    venue: Venue  # the venue the key belongs to
    credentials: Credentials | None  # None: public requests go; the signer refuses keyed and signed ones
    allowed_hosts: frozenset[str]  # the only hosts these credentials sign for
    clock: Clock | None = None  # None: the local clock, uncorrected
    dialect: HeaderSet | None = None  # None: the header set of the venue the request goes to
    proxy: str | None = None  # a proxy the person chose for this key (a profile field); None: the Wire's own choice

    @classmethod
    def for_venue(cls, venue: Venue, credentials: Credentials | None = None, extra_hosts: tuple[str, ...] = (),
                  clock: Clock | None = None) -> SigningContext:
        """Credentials bound to `venue`'s own hosts (plus any extra hosts a person allowed)."""
        return cls(venue, credentials, signing_hosts(venue, extra_hosts), clock)

    @classmethod
    def for_profile(cls, profile: Profile, clock: Clock | None = None) -> SigningContext:
        """A stored key: its venue (on its own base URL when it has one) and only the hosts stored with it."""
        venue = get_venue(profile.venue)
        if profile.base_url:
            venue = venue.at(profile.base_url)
        return cls(venue, profile.credentials, profile.allowed_hosts, clock, dialect=profile.header_set, proxy=profile.proxy)

    def with_clock(self, clock: Clock | None) -> SigningContext:
        return replace(self, clock=clock)

    def with_dialect(self, dialect: HeaderSet | None) -> SigningContext:
        return replace(self, dialect=dialect)

    def header_set(self, draft: Draft) -> HeaderSet:
        return self.dialect or draft.venue.header_set

    def signer(self, draft: Draft) -> VenueSigner:
        """A fresh signer for one send (or export) of `draft`: a signer holds one request's evidence."""
        return VenueSigner(self.credentials, self.header_set(draft), draft.auth_level, self.clock, self.allowed_hosts,
                           self.venue.name)


def context_for(signing: SigningContext | Credentials | None, draft: Draft) -> SigningContext:
    """`signing` as a context. Bare credentials (or none) are the short form used by scripts and tests:
    they sign for the hosts of the venue `draft` goes to, with the local clock."""
    if isinstance(signing, SigningContext):
        return signing
    return SigningContext.for_venue(draft.venue, signing)
