"""Profiles: checked fields, add/replace/remove, and host binding through the real signer."""

from __future__ import annotations

import httpx
import pytest

from keys import redact, vault
from keys.secret import Secret
from keys.signing import AuthLevel, FixedClock, SigningRefused, sign
from keys.venue_signer import VenueSigner
from keys.vault import Profile, ProfileError

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(name=""), "not a usable profile name"),
        (dict(name="-starts-with-dash"), "not a usable profile name"),
        (dict(name="has space"), "not a usable profile name"),
        (dict(name="x" * 65), "not a usable profile name"),
        (dict(venue="binance"), "Unknown venue 'binance'; choose one of bitmart, bitmart-spot, wooxpro, emulator"),
        (dict(api_key=""), "API key is empty"),
        (dict(secret=""), "secret is empty"),
        (dict(extra_hosts=["https://evil.example"]), "not a host name"),
        (dict(extra_hosts=["evil.example:99999"]), "not a host name"),
        (dict(base_url="api.example.com"), "not a base URL"),
        (dict(base_url="ftp://api-cloud.bitmart.com"), "not a base URL"),
        (dict(base_url="https://evil.example"), "allow it with --allow-host evil.example"),
    ],
)
def test_unusable_fields_are_sentences(kwargs, words):
    fields = dict(name="main", venue="bitmart", api_key=KEY, secret=SECRET)
    fields.update(kwargs)
    extra = {k: fields.pop(k) for k in ("extra_hosts", "base_url") if k in fields}
    with pytest.raises(ProfileError) as info:
        Profile.new(fields["name"], fields["venue"], fields["api_key"], fields["secret"], "m", **extra)
    assert words in str(info.value)


def test_base_url_on_an_allowed_host_is_fine():
    p = Profile.new("m", "bitmart", KEY, SECRET, "", base_url="https://api-cloud-v2.bitmart.news/", extra_hosts=())
    assert p.base_url == "https://api-cloud-v2.bitmart.news"
    q = Profile.new("m", "wooxpro", KEY, SECRET, "", base_url="https://proxy.example", extra_hosts=["PROXY.example"])
    assert q.allowed_hosts == {"cloud-api.wooxpro.com", "proxy.example"}


def test_allowed_hosts_are_the_venue_family_plus_extras():
    p = Profile.new("m", "bitmart-spot", KEY, SECRET, "memo", extra_hosts=["mirror.example.com"])
    assert p.allowed_hosts == {
        "api-cloud.bitmart.com",
        "api-cloud-v2.bitmart.com",
        "api-cloud.bitmart.news",
        "api-cloud-v2.bitmart.news",
        "mirror.example.com",
    }
    assert Profile.new("e", "emulator", KEY, SECRET).allowed_hosts == {"127.0.0.1", "localhost", "::1"}


def signed(profile: Profile, url: str) -> httpx.Request:
    venue_hs = {"bitmart": "X-BM-", "wooxpro": "X-API-"}
    from tui.venues import get_venue

    venue = get_venue(profile.venue)
    signer = VenueSigner(profile.credentials, venue.header_set, AuthLevel.SIGNED, FixedClock(1589267764859), profile.allowed_hosts, profile.venue_name)
    request = httpx.Request("POST", url, content=b"{}")
    out = next(signer.sync_auth_flow(request))
    assert out.headers[f"{venue_hs[venue.family]}TIMESTAMP"] == "1589267764859"
    return out


def test_profile_credentials_sign_for_their_hosts():
    p = Profile.new("m", "bitmart", KEY, SECRET, "test001")
    out = signed(p, "https://api-cloud-v2.bitmart.com/contract/private/submit-order")
    assert out.headers["X-BM-SIGN"] == "7d50d0b1f07224bf3660035ee6cca1301bc447e4a293f5bb6659c7cd166d63a5"  # protocol.md V10
    assert out.headers["X-BM-KEY"] == KEY


def test_profile_refuses_a_host_outside_its_binding():
    p = Profile.new("m", "wooxpro", KEY, SECRET, "test001")
    with pytest.raises(SigningRefused) as info:
        signed(p, "https://api-cloud-v2.bitmart.com/contract/private/submit-order")
    assert "Refusing to sign for api-cloud-v2.bitmart.com" in str(info.value)
    assert "WOO X Pro, whose hosts are cloud-api.wooxpro.com" in str(info.value)


def test_add_replace_remove(tmp_path):
    v = vault.create(tmp_path / "k.json", "pw", vault.TEST_ONLY)
    p = Profile.new("main", "bitmart", KEY, SECRET, "test001")
    v.add(p)
    with pytest.raises(ProfileError, match="already exists"):
        v.add(Profile.new("main", "wooxpro", KEY, SECRET))
    v.replace(Profile.new("main", "wooxpro", KEY, SECRET, notes="moved"))
    v.add(Profile.new("second", "emulator", KEY, SECRET))
    v.save()
    again = vault.unlock(tmp_path / "k.json", "pw")
    assert again.names() == ["main", "second"] and again.get("main").venue == "wooxpro" and again.get("main").notes == "moved"
    assert again.remove("main").name == "main"
    with pytest.raises(ProfileError, match=r"No profile named 'main' .* \(profiles: second\)"):
        again.get("main")
    with pytest.raises(ProfileError):
        again.remove("main")
    again.save()
    assert vault.unlock(tmp_path / "k.json", "pw").names() == ["second"]


def test_listing_has_no_secret_and_hygiene_warns():
    with pytest.raises(ProfileError, match=r"The secret ends with whitespace \(position 65 of 65\)") as info:
        Profile.new("main", "bitmart", KEY, SECRET + " ", "12345678", notes="n")
    assert SECRET[:8] not in str(info.value)
    p = Profile.new("main", "bitmart", KEY, SECRET, "12345678", notes="n")
    listing = p.listing()
    assert listing["key"] == "#d84ea451" and listing["memo"] == "set" and listing["secret"] == "set"
    assert SECRET not in repr(listing) and "12345678" not in repr(listing)
    assert any("account UID" in w for w in p.hygiene())
    # A profile stored before the door check (read back unchecked) still says what is wrong with it.
    stored = Profile.new("old", "bitmart", KEY, SECRET + " ", "", checked=False)
    assert any("secret ends with whitespace" in w for w in stored.hygiene())
    assert Profile.new("ok", "bitmart", KEY, SECRET, "test001").hygiene() == []


def test_unlock_registers_the_secrets_for_log_masking(tmp_path):
    redact.clear()
    v = vault.create(tmp_path / "k.json", "pw", vault.TEST_ONLY)
    v.add(Profile.new("main", "bitmart", KEY, "UNLOCK-REGISTERS-SECRET-XYZ", "memo-registered"))
    v.save()
    redact.clear()
    assert "UNLOCK-REGISTERS-SECRET-XYZ" in redact.mask("x UNLOCK-REGISTERS-SECRET-XYZ y")
    vault.unlock(tmp_path / "k.json", "pw")
    assert redact.mask("x UNLOCK-REGISTERS-SECRET-XYZ y memo-registered") == "x ******** y ********"
    redact.clear()


def test_credentials_sign_like_the_plain_function():
    p = Profile.new("m", "bitmart", KEY, SECRET, "test001")
    c = p.credentials
    assert c.secret == Secret(SECRET) and c.memo == Secret("test001") and c.api_key == Secret(KEY)
    assert sign(SECRET, "1589267764859", "test001", "{}") == "7d50d0b1f07224bf3660035ee6cca1301bc447e4a293f5bb6659c7cd166d63a5"


def test_a_refused_profile_rendered_with_locals_shows_no_secret():
    """Profile.new called with plain strings (a console form would) and failing a check: the crash-screen view."""
    import io
    import sys

    from rich.console import Console
    from rich.traceback import Traceback

    try:
        Profile.new("main", "bitmart", KEY, "PLAIN-STR-SECRET-c4f1", "PLAIN-STR-MEMO-9e", extra_hosts=["bad host!"])
    except ProfileError:
        exc_type, exc, tb = sys.exc_info()
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(Traceback.from_exception(exc_type, exc, tb.tb_next, show_locals=True))
    text = out.getvalue()
    assert "not a host name" in text and "in new" in text
    from leaks import find_leaks

    assert find_leaks([("traceback", text)], ["PLAIN-STR-SECRET-c4f1", "PLAIN-STR-MEMO-9e"]) == []


def test_every_field_of_a_profile_survives_the_key_file(tmp_path):
    # Proxy, header dialect, notes, extra hosts and base URL are read back as saved, not as their defaults.
    path = tmp_path / "k.json"
    v = vault.create(path, "pw", vault.TEST_ONLY)
    full = Profile.new("full", "bitmart", KEY, SECRET, "test001", extra_hosts=["mirror.example.com"],
                       base_url="https://mirror.example.com", notes="read-only key", proxy="http://127.0.0.1:3128", dialect="X-API-")
    bare = Profile.new("bare", "wooxpro", KEY, SECRET)
    v.add(full)
    v.add(bare)
    v.save()
    again = vault.unlock(path, "pw")
    got = again.get("full")
    assert (got.proxy, got.dialect, got.notes, got.extra_hosts, got.base_url) == (
        "http://127.0.0.1:3128", "X-API-", "read-only key", ("mirror.example.com",), "https://mirror.example.com")
    assert got == full and again.get("bare") == bare and again.get("bare").notes == "" and again.get("bare").dialect == "auto"


def test_a_profile_stored_before_the_door_check_still_opens(tmp_path):
    # A key file written by an older keyprobe can hold a secret with a stray space: it opens (nothing is lost)
    # and says what is wrong; the signer refuses to use it.
    path = tmp_path / "k.json"
    v = vault.create(path, "pw", vault.TEST_ONLY)
    v.add(Profile.new("old", "bitmart", KEY, SECRET + " ", "", checked=False))
    v.save()
    old = vault.unlock(path, "pw").get("old")
    assert old.secret == Secret(SECRET + " ") and any("secret ends with whitespace" in w for w in old.hygiene())


def test_a_damaged_header_names_the_file(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text('{"format": "something else"}')
    path.chmod(0o600)
    with pytest.raises(vault.VaultError, match=f"^{path} is not a keyprobe key file"):
        vault.read_header(path)
