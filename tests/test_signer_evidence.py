"""What the signer records and refuses, read off real sends (mutants of keys/signing.py that survived
the rest of the suite: the port passed to the transport check, the evidence's host, the masked pre-image
of a key with no memo)."""

from __future__ import annotations

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.signing import AuthLevel, Credentials
from tui.exchange import Draft, FailureKind
from tui.signing_context import SigningContext
from tui.venues import emulator_venue, get_venue
from tui.transport.wire import send_once

ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","size":1,"price":"1","leverage":"10","open_type":"isolated"}'


def test_a_key_is_refused_on_another_port_of_its_own_host_before_anything_is_sent():
    venue = get_venue("bitmart").at("https://api-cloud-v2.bitmart.com:8443")
    draft = Draft(venue, "POST", "/contract/private/submit-order", body=ORDER, auth=AuthLevel.SIGNED)
    context = SigningContext.for_venue(get_venue("bitmart"), Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "memo"))
    exchange = send_once(draft, context, timeout=5)
    # Nothing reached the network: a port the key was not stored with is a refusal, not a DNS failure.
    assert exchange.failure is not None and exchange.failure.kind is FailureKind.SIGNING_REFUSED, exchange.failure
    assert "port 443 only" in exchange.failure.sentence and exchange.response is None


def test_the_evidence_names_the_host_and_masks_no_memo_as_an_empty_field(emu):
    venue = emulator_venue(emu.base_url)
    draft = Draft(venue, "POST", "/contract/private/submit-order", body=ORDER, auth=AuthLevel.SIGNED)
    exchange = send_once(draft, Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, ""), timeout=10)
    evidence = exchange.request.evidence
    assert evidence.host == "127.0.0.1"
    # An empty memo is shown as the empty field it is (`ts##body`), never as the mask of a memo.
    assert evidence.preimage_masked == f"{evidence.timestamp}##{ORDER}" and evidence.memo_empty
    with_memo = send_once(draft, Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "demo"), timeout=10).request.evidence
    assert with_memo.preimage_masked == f"{with_memo.timestamp}#****#{ORDER}" and with_memo.memo_length == 4
