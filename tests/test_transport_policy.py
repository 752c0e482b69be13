"""The transport policy (issue 11, item 1): a key goes only over https (loopback aside), only to its hosts
and only on port 443 unless the profile lists the port; no proxy unless the person chose one, and a proxy
that is used is named in every output; redirects are not followed."""

from __future__ import annotations

import json

import httpx
import pytest

from hostile_server import HostileServer
from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.hosts import FAMILY_HOSTS
from keys.signing import BITMART_HEADERS, AuthLevel, Credentials, FixedClock, SigningRefused
from keys.venue_signer import VenueSigner
from keys.vault import Profile, ProfileError
from tui.cli import main

CREDS = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "test001")
BITMART = FAMILY_HOSTS["bitmart"]


def signed_to(url: str, allowed: frozenset[str] = BITMART, level: AuthLevel = AuthLevel.KEYED) -> list[httpx.Request]:
    sent: list[httpx.Request] = []
    signer = VenueSigner(CREDS, BITMART_HEADERS, level, FixedClock(1), allowed, "BitMart futures v2")
    with httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))) as client:
        client.get(url, auth=signer)
    return sent


@pytest.mark.parametrize("url,sentence", [
    ("http://api-cloud-v2.bitmart.com/x", "Refusing to send a key to api-cloud-v2.bitmart.com over plain http"),
    ("https://api-cloud-v2.bitmart.com:8443/x", "Refusing to sign for api-cloud-v2.bitmart.com:8443: this key signs for "
                                                "api-cloud-v2.bitmart.com on port 443 only"),
    ("https://evil.example/x", "Refusing to sign for evil.example: this key belongs to BitMart futures v2"),
])
def test_the_signer_refuses_before_anything_is_sent(url, sentence):
    with pytest.raises(SigningRefused, match=sentence.replace("(", r"\(").replace(".", r"\.")):
        signed_to(url)


def test_what_the_policy_allows():
    assert len(signed_to("https://api-cloud-v2.bitmart.com/x")) == 1
    assert len(signed_to("https://api-cloud-v2.bitmart.com:443/x")) == 1
    assert len(signed_to("https://api-cloud-v2.bitmart.com:8443/x", BITMART | {"api-cloud-v2.bitmart.com:8443"})) == 1
    assert len(signed_to("http://127.0.0.1:8640/x", frozenset({"127.0.0.1"}))) == 1  # loopback: any port, plain http
    assert len(signed_to("http://api-cloud-v2.bitmart.com/x", level=AuthLevel.NONE)) == 1  # no key, no policy


def test_a_profile_refuses_plain_http_and_unlisted_ports_at_the_door():
    with pytest.raises(ProfileError, match="This profile would send its key to api-cloud-v2.bitmart.com over plain http"):
        Profile.new("m", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, base_url="http://api-cloud-v2.bitmart.com")
    with pytest.raises(ProfileError, match="on port 443 only.*--allow-host api-cloud-v2.bitmart.com:8080"):
        Profile.new("m", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, base_url="https://api-cloud-v2.bitmart.com:8080")
    p = Profile.new("m", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, base_url="https://api-cloud-v2.bitmart.com:8080",
                    extra_hosts=["api-cloud-v2.bitmart.com:8080"])
    assert "api-cloud-v2.bitmart.com:8080" in p.allowed_hosts
    Profile.new("e", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, base_url="http://127.0.0.1:9999")  # loopback is fine


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", "test001")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_send_over_plain_http_to_a_venue_is_refused_with_exit_2(env, capsys):
    code = main(["send", "GET", "/contract/private/assets-detail", "--venue", "bitmart", "--base-url", "http://api-cloud-v2.bitmart.com"])
    out, err = capsys.readouterr()
    assert code == 2 and "over plain http" in out + err and "Nothing was sent" in out + err
    assert "change what the sentence above names" in out and "signs only for its venue's hosts" not in out


def test_environment_proxies_are_ignored_unless_the_person_opts_in(env, capsys, emu):
    with HostileServer("inf-headers") as proxy:
        env.setenv("HTTP_PROXY", proxy.base_url)
        env.setenv("http_proxy", proxy.base_url)
        argv = ["send", "GET", "/contract/private/assets-detail", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json"]
        assert main(argv) == 0
        document = json.loads(capsys.readouterr().out)
        assert proxy.seen == [] and document["proxy"] is None
        assert main([*argv, "--trust-env"]) == 0  # the environment's proxy, chosen: it is used and named
        document = json.loads(capsys.readouterr().out)
        assert len(proxy.seen) == 1 and proxy.seen[0].target == f"{emu.base_url}/contract/private/assets-detail"
        assert document["proxy"] == proxy.base_url and document["rate_limit"]["mode"] == "IP"  # the proxy's answer


def test_a_chosen_proxy_is_named_in_the_output_and_its_failure_names_it(env, capsys, emu):
    with HostileServer("inf-headers") as proxy:
        argv = ["send", "GET", "/system/time", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart"]
        assert main([*argv, "--proxy", proxy.base_url]) == 0
        out = capsys.readouterr().out
        assert f"via the proxy {proxy.base_url}" in out and len(proxy.seen) == 1
        port = proxy.port
    assert main([*argv, "--proxy", f"http://127.0.0.1:{port}", "--json"]) == 3  # the proxy is gone now
    document = json.loads(capsys.readouterr().out)
    assert document["failure"]["kind"] == "proxy" and document["sent"] is False
    assert document["failure"]["sentence"].startswith(f"Could not reach the proxy http://127.0.0.1:{port} (refused)")
    assert main([*argv, "--proxy", "http://user:hunter22@127.0.0.1:9", "--json"]) == 3
    assert "hunter22" not in capsys.readouterr().out


def test_a_redirect_is_never_followed(env, capsys):
    with HostileServer("redirect") as server:
        assert main(["send", "GET", "/system/time", "--venue", "emulator", "--base-url", server.base_url, "--emulator-flavour", "bitmart"]) == 1
    assert len(server.seen) == 1 and "302" in capsys.readouterr().out


def test_a_profile_proxy_is_stored_used_and_named(env, capsys, emu, tmp_path):
    env.setenv("KEYPROBE_PASSPHRASE", "pw")
    env.setenv("KEYPROBE_KDF", "test")
    assert main(["keys", "init"]) == 0
    with HostileServer("inf-headers") as proxy:
        assert main(["keys", "add", "p", "--venue", "emulator", "--base-url", emu.base_url, "--proxy", proxy.base_url]) == 0
        assert main(["keys", "list"]) == 0
        assert f"through the proxy {proxy.base_url}" in capsys.readouterr().out
        assert main(["send", "GET", "/system/time", "--profile", "p", "--json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["proxy"] == proxy.base_url and len(proxy.seen) == 1
    with pytest.raises(ProfileError, match="is not a proxy URL"):
        Profile.new("m", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, proxy="socks9://x")


def test_the_host_tables_say_where_a_key_may_sign():
    """keys.hosts on its own: 443 or a listed host:port, loopback on any port unless only its ports are listed,
    each refusal naming what the key may do instead."""
    from keys.hosts import binds, host_port, signing_hosts, transport_refusal

    allowed = signing_hosts(BITMART, ("API-Cloud-V2.bitmart.com:8443", "::1"))
    assert "api-cloud-v2.bitmart.com:8443" in allowed and "::1" in allowed and BITMART <= allowed
    assert binds(allowed, "api-cloud-v2.bitmart.com", None) and binds(allowed, "api-cloud-v2.bitmart.com", 443)
    assert binds(allowed, "api-cloud-v2.bitmart.com", 8443) and not binds(allowed, "api-cloud-v2.bitmart.com", 8444)
    assert binds(allowed, "::1", 9) and not binds(allowed, "127.0.0.1", 9)
    assert host_port("::1", 8640) == "[::1]:8640" and host_port("127.0.0.1", 80) == "127.0.0.1:80"
    assert transport_refusal("https", "api-cloud-v2.bitmart.com", 8443, allowed, "BitMart") is None
    assert transport_refusal("http", "::1", 8640, allowed, "Local") is None
    ports_only = frozenset({"127.0.0.1:8640", "[::1]:8641"})
    assert transport_refusal("http", "127.0.0.1", 8640, ports_only, "Local emulator") is None
    assert transport_refusal("http", "127.0.0.1", None, ports_only, "Local emulator") == (
        "Refusing to sign for 127.0.0.1:80: this key signs on loopback only at 127.0.0.1:8640; a saved request cannot "
        "send it elsewhere (pass --profile, or --base-url).")
    assert transport_refusal("http", "::1", 9, ports_only, "Local emulator").startswith(
        "Refusing to sign for [::1]:9: this key signs on loopback only at [::1]:8641;")
    assert transport_refusal("https", "evil.example", None, frozenset(), "WOO X Pro") == (
        "Refusing to sign for evil.example: this key belongs to WOO X Pro, whose hosts are no hosts.")
    assert transport_refusal("https", "evil.example", None, BITMART, "BitMart futures v2") == (
        "Refusing to sign for evil.example: this key belongs to BitMart futures v2, whose hosts are "
        "api-cloud-v2.bitmart.com, api-cloud-v2.bitmart.news, api-cloud.bitmart.com, api-cloud.bitmart.news.")
    assert transport_refusal("http", "127.0.0.1", 9, ports_only | {"127.0.0.1:8642"}, "Local emulator").startswith(
        "Refusing to sign for 127.0.0.1:9: this key signs on loopback only at 127.0.0.1:8640, 127.0.0.1:8642;")
    assert transport_refusal("https", "api.example", None, frozenset({"api.example:8443"}), "Mine") == (
        "Refusing to sign for api.example:443: this key signs for api.example on port 443 only. If that port is really "
        "the venue's, store it with the key: --allow-host api.example:443.")
    assert transport_refusal("ws", "cloud-api.wooxpro.com", None, FAMILY_HOSTS["wooxpro"], "WOO X Pro") == (
        "Refusing to send a key to cloud-api.wooxpro.com over plain ws: a request that carries a key goes only over https "
        "(loopback aside), so nobody on the way can read it. Use https://cloud-api.wooxpro.com.")
    assert transport_refusal("https", "cloud-api.wooxpro.com", 8443, FAMILY_HOSTS["wooxpro"], "WOO X Pro") == (
        "Refusing to sign for cloud-api.wooxpro.com:8443: this key signs for cloud-api.wooxpro.com on port 443 only. If "
        "that port is really the venue's, store it with the key: --allow-host cloud-api.wooxpro.com:8443.")


@pytest.mark.parametrize("proxy, shown", [
    (None, None), ("", None),
    ("http://user:pass@proxy.example:3128", "http://proxy.example:3128"),
    ("socks5://[::1]:1080", "socks5://[::1]:1080"),
    ("https://proxy.example", "https://proxy.example"),
    ("http://:3128", "http://?:3128"),
    ("http://proxy.example:99999", "(an unreadable proxy URL)"),
])
def test_a_proxy_is_named_by_scheme_host_and_port_never_its_password(proxy, shown):
    from keys.hosts import shown_proxy

    assert shown_proxy(proxy) == shown
